import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import { createRateLimiter } from '../../api/rate-limit';
import { MemoryWindowStore, partitionKeyOf, policyName, rateLimitHeaders } from '../../api/rate-limit-window';
import type { AppConfig } from '../../shared/config';

describe('rate limit window and headers', () => {
  it('counts a client per fixed window that starts at its first request', () => {
    const store = new MemoryWindowStore(60_000);
    try {
      assert.deepEqual(store.increment('a', 1_000), { totalHits: 1, resetAtMs: 61_000 });
      assert.deepEqual(store.increment('a', 30_000), { totalHits: 2, resetAtMs: 61_000 });
      assert.deepEqual(store.increment('b', 30_000), { totalHits: 1, resetAtMs: 90_000 });
      assert.deepEqual(store.increment('a', 61_000), { totalHits: 1, resetAtMs: 121_000 }, 'a new window once the last one ended');
    } finally {
      store.shutdown();
    }
  });

  it('sweeps the windows of clients that went quiet', () => {
    const store = new MemoryWindowStore(60_000);
    try {
      store.increment('a', 0);
      store.increment('b', 30_000);
      store.sweep(60_000);
      assert.equal(store.size, 1);
    } finally {
      store.shutdown();
    }
  });

  it('names the policy as express-rate-limit did', () => {
    assert.equal(policyName(100, 60_000), '100-in-1min');
    assert.equal(policyName(5, 30_000), '5-in-30sec');
    assert.equal(policyName(5, 2 * 3_600_000), '5-in-2hrs');
    assert.equal(policyName(5, 86_400_000), '5-in-1day');
  });

  it('writes draft-8 header values with the remaining count, the seconds left and a hashed partition key', () => {
    const headers = rateLimitHeaders({ limit: 10, windowMs: 60_000, count: { totalHits: 3, resetAtMs: 45_500 }, partitionKey: partitionKeyOf('127.0.0.1'), nowMs: 1_000 });
    assert.deepEqual(headers, { RateLimit: '"10-in-1min"; r=7; t=45', 'RateLimit-Policy': '"10-in-1min"; q=10; w=60; pk=:MTJjYTE3YjQ5YWYy:' });
    assert.equal(rateLimitHeaders({ limit: 2, windowMs: 60_000, count: { totalHits: 5, resetAtMs: 0 }, partitionKey: 'x', nowMs: 1_000 }).RateLimit, '"2-in-1min"; r=0; t=0');
  });

  it('answers the same headers and statuses over HTTP as the express-rate-limit middleware it replaced', async () => {
    const limit = 3;
    const withPrincipal: express.RequestHandler = (_req, res, next) => {
      res.locals.principal = { id: 'key:1a2b3c4d', admin: false };
      next();
    };
    const theirs = express().use(
      rateLimit({ windowMs: 60_000, limit, standardHeaders: 'draft-8', legacyHeaders: false, keyGenerator: () => 'key:1a2b3c4d', handler: (_req, res) => res.status(429).end() }),
      (_req, res) => res.end(),
    );
    const ours = createRateLimiter({ redisUrl: undefined, security: { rateLimitPerMinute: limit } } as unknown as AppConfig);
    const mine = express().use(withPrincipal, ours.middleware, (_req, res) => res.end());
    mine.use(((error, _req, res, _next) => res.status(error.status).set(error.headers).end()) as express.ErrorRequestHandler);
    const servers = [theirs.listen(0), mine.listen(0)];
    try {
      const seen = await Promise.all(
        servers.map(async (server) => {
          const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
          const answers = [];
          for (let i = 0; i < limit + 2; i++) {
            const response = await fetch(url);
            answers.push([response.status, response.headers.get('ratelimit'), response.headers.get('ratelimit-policy'), response.headers.get('retry-after')]);
          }
          return answers;
        }),
      );
      assert.deepEqual(seen[1], seen[0]);
      assert.equal(seen[1]![limit]![0], 429);
    } finally {
      for (const server of servers) server.close();
      await ours.close();
    }
  });
});

/**
 * Per-client rate limit (express-rate-limit): per API key, or per address when the API is open. With
 * REDIS_URL the counters live in Redis, so the limit holds across API processes; when Redis does not
 * answer within a few milliseconds the request passes (a limiter must not take the API down with it).
 */
import { createClient } from '@redis/client';
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type IncrementResponse, type Options, type Store } from 'express-rate-limit';
import type { AppConfig } from '../shared/config';
import { withTimeout } from '../shared/adapters/with-timeout';
import { principalOf } from './auth';
import { HttpError } from './errors';

const WINDOW_MS = 60_000;
const REDIS_TIMEOUT_MS = 50;

/** Fixed window: one atomic INCR + PEXPIRE-if-new, answering the count and the time left. */
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }`;

class RedisWindowStore implements Store {
  private readonly client;
  readonly prefix = 'rate-limit:';

  constructor(url: string) {
    this.client = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000) } });
    this.client.on('error', () => {});
    this.client.connect().catch(() => {});
  }

  /** Never throws: with Redis away the request counts as the window's first (the limiter fails open, quietly). */
  async increment(key: string): Promise<IncrementResponse> {
    try {
      const [hits, ttl] = (await withTimeout(this.client.eval(INCREMENT, { keys: [this.prefix + key], arguments: [String(WINDOW_MS)] }), REDIS_TIMEOUT_MS)) as [number, number];
      return { totalHits: hits, resetTime: new Date(Date.now() + Math.max(0, ttl)) };
    } catch {
      return { totalHits: 1, resetTime: new Date(Date.now() + WINDOW_MS) };
    }
  }

  async decrement(key: string): Promise<void> {
    await withTimeout(this.client.decr(this.prefix + key), REDIS_TIMEOUT_MS);
  }

  async resetKey(key: string): Promise<void> {
    await withTimeout(this.client.del(this.prefix + key), REDIS_TIMEOUT_MS);
  }

  async shutdown(): Promise<void> {
    if (this.client.isOpen) this.client.destroy();
  }
}

export function createRateLimiter(config: AppConfig): { middleware: RequestHandler; close(): Promise<void> } {
  const store = config.redisUrl ? new RedisWindowStore(config.redisUrl) : undefined;
  const options: Partial<Options> = {
    windowMs: WINDOW_MS,
    limit: config.security.rateLimitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    passOnStoreError: true,
    keyGenerator: (req, res) => principalOf(res)?.id ?? ipKeyGenerator(req.ip ?? 'unknown'),
    handler: (_req, res, next, used) => {
      const retryAfter = String(Math.ceil(used.windowMs / 1000));
      next(new HttpError(429, 'rate_limited', `more than ${used.limit} requests per minute from this client`, undefined, { 'retry-after': res.getHeader('retry-after')?.toString() ?? retryAfter }));
    },
    ...(store && { store }),
  };
  return { middleware: rateLimit(options), close: async () => store?.shutdown() };
}

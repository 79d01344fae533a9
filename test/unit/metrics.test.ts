import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import express, { Router } from 'express';
import { Registry } from 'prom-client';
import { errorHandler, HttpError, notFoundHandler } from '../../api/errors';
import { observeRequests, UNMATCHED_ROUTE } from '../../api/observability/http-metrics';
import { createLogger } from '../../shared/adapters/logging/logger';
import { AnalysisCache } from '../../shared/adapters/analysis-cache';
import type { AnalysisResult } from '../../shared/core/analysis-result';
import { loadConfig } from '../../shared/config';
import { CounterSync, stateSetValues } from '../../shared/adapters/metrics/counter-sync';
import { cacheLookupIncrements, cacheTierLookupIncrements, circuitStateValues } from '../../shared/adapters/metrics/service-series';
import { providerGateKey, MemoryGateStore } from '../../shared/adapters/gate-store';
import { parsePrometheusText, total } from '../helpers/prometheus';

describe('metric helpers', () => {
  it('CounterSync adds what a cumulative total grew by since the last scrape', () => {
    const sync = new CounterSync();
    assert.deepEqual([sync.increment('a', 3), sync.increment('a', 3), sync.increment('a', 10), sync.increment('b', 1)], [3, 0, 7, 1]);
  });

  it('CounterSync takes a total that went down as a fresh start, never a negative increment', () => {
    const sync = new CounterSync();
    sync.increment('a', 10);
    assert.equal(sync.increment('a', 4), 4);
    assert.equal(sync.increment('a', 6), 2);
  });

  it('a state set has one series per state, 1 for the current one, all 0 for none', () => {
    assert.deepEqual(stateSetValues(['closed', 'open'], 'open'), { closed: 0, open: 1 });
    assert.deepEqual(stateSetValues(['closed', 'open'], undefined), { closed: 0, open: 0 });
  });
});

describe('service series', () => {
  const config = loadConfig({ CACHE_DISK_ENABLED: 'false', OPENAI_API_KEY: 'sk-test', LLM_PROVIDERS: 'openai,local' });
  const result: AnalysisResult = {
    summary: 'Acme opens an office in Lisbon.',
    keyPoints: ['Acme opens an office in Lisbon'],
    entities: [{ name: 'Acme', type: 'organization' }],
    sentiment: { label: 'positive', score: 0.4 },
    topics: ['office'],
    language: 'en',
    meta: { provider: 'openai', model: 'gpt-4o', inputTokens: 10, outputTokens: 5, latencyMs: 100, cached: false, attempts: 1, tier: 'advanced' },
  };

  it('turn the cache’s lookup totals into increments since the last call, overall and per tier', async () => {
    const cache = AnalysisCache.fromConfig(config, () => {});
    const sync = new CounterSync();
    await cache.read('k1');
    await cache.write('k1', 'doc-1', result, [{ provider: 'openai', outcome: 'succeeded' }]);
    await cache.read('k1');
    await cache.read('k1');
    const overall = (increments: { labels: Record<string, string>; increment: number }[]) =>
      Object.fromEntries(increments.map(({ labels, increment }) => [Object.values(labels).join(':'), increment]));
    assert.deepEqual(overall(cacheLookupIncrements(cache, sync)), { hit: 2, miss: 1 });
    assert.deepEqual(overall(cacheTierLookupIncrements(cache, sync)), { 'memory:hit': 2, 'memory:miss': 1, 'memory:error': 0 });
    await cache.read('k2');
    assert.deepEqual(overall(cacheLookupIncrements(cache, sync)), { hit: 0, miss: 1 });
    await cache.close();
  });

  it('give each remote provider one current circuit state', async () => {
    const gates = new MemoryGateStore();
    await gates.update(providerGateKey(config.temporal.taskQueue, 'openai'), (state) => ({
      next: { ...state, breaker: { state: 'open', consecutiveFailures: 5, openedAt: Date.now() } },
      result: undefined,
    }));
    const values = await circuitStateValues(config, gates);
    assert.deepEqual(
      values.map(({ labels, value }) => [labels.provider, labels.state, value]),
      [['openai', 'closed', 0], ['openai', 'open', 1], ['openai', 'half-open', 0]],
    );
  });
});

describe('HTTP request metrics', () => {
  let server: ReturnType<express.Express['listen']>;
  let baseUrl: string;
  const registry = new Registry();

  before(async () => {
    const app = express();
    app.use(observeRequests(registry, createLogger({ name: 'api', level: 'silent' })));
    const jobs = Router();
    jobs.get('/:jobId', (req, res, next) => {
      if (req.params.jobId === 'missing') return next(new HttpError(404, 'not_found', 'no such job'));
      res.json({ id: req.params.jobId });
    });
    jobs.post('/', (_req, res) => {
      res.status(201).json({});
    });
    app.use('/api/jobs', jobs);
    app.use(notFoundHandler);
    app.use(errorHandler(() => {}));
    server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const [method, path] of [['GET', '/api/jobs/a-1'], ['GET', '/api/jobs/b-2'], ['GET', '/api/jobs/missing'], ['POST', '/api/jobs'], ['GET', '/nowhere/x-3']]) {
      await (await fetch(`${baseUrl}${path}`, { method })).text();
    }
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const count = async (labels: Record<string, string>) => total(parsePrometheusText(await registry.metrics()), 'http_request_duration_seconds_count', labels);

  it('labels requests by the full route pattern, not the path with its ids', async () => {
    assert.equal(await count({ method: 'GET', route: '/api/jobs/:jobId', status_code: '200' }), 2);
    assert.equal(await count({ method: 'POST', route: '/api/jobs', status_code: '201' }), 1);
    const text = await registry.metrics();
    for (const id of ['a-1', 'b-2', 'x-3', 'missing']) assert.ok(!text.includes(id), `${id} became a label`);
  });

  it('keeps the pattern when an error handler answers after the route', async () => {
    assert.equal(await count({ route: '/api/jobs/:jobId', status_code: '404' }), 1);
  });

  it(`labels a request no route matched "${UNMATCHED_ROUTE}"`, async () => {
    assert.equal(await count({ route: UNMATCHED_ROUTE, status_code: '404' }), 1);
  });
});

import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import express, { Router } from 'express';
import { Registry } from 'prom-client';
import { errorHandler, HttpError, notFoundHandler } from '../../api/errors';
import { observeRequests, UNMATCHED_ROUTE } from '../../api/observability/http-metrics';
import { createLogger } from '../../shared/logging/logger';
import { CounterSync, stateSetValues } from '../../shared/metrics/counter-sync';
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

/**
 * Temporal away and back, with real processes as an operator runs them: a dev server on a state file,
 * a worker process and an API process. The dev server is killed (SIGKILL) and restarted on the same
 * file. While it is away, every route that needs it answers 503 + Retry-After naming Temporal, the rest
 * keeps working; afterwards the API and the worker reconnect by themselves. Latencies are printed,
 * never asserted; the only bound is a hang guard.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer, type RunningDevServer } from '../../scripts/temporal/dev-server';
import { resolveTemporalCli } from '../../scripts/temporal/temporal-cli';
import { waitFor } from '../helpers/http';
import { freePort } from '../helpers/ports';
import { spawnEntry, spawnWorker, type Spawned } from '../helpers/processes';

const CLIENT_KEY = 'outage-client-key-0123456789';
const ADMIN_KEY = 'outage-admin-key-0123456789';
/** Not a latency target: a request still open after this is a hang. */
const HANG_GUARD_MS = 10_000;

interface Answer {
  status: number;
  headers: Headers;
  body: any;
  ms: number;
}

describe('Temporal away: fast honest 503s, the rest keeps serving, recovery by itself', function () {
  this.timeout(240_000);
  let dataDir: string;
  let devServer: RunningDevServer | undefined;
  let worker: Spawned | undefined;
  let api: Spawned | undefined;
  let apiUrl: string;
  let temporalAddress: string;
  let startServer: () => Promise<RunningDevServer>;

  const call = async (method: string, urlPath: string, options: { json?: unknown; key?: string } = {}): Promise<Answer> => {
    const started = performance.now();
    const response = await fetch(`${apiUrl}${urlPath}`, {
      method,
      headers: { authorization: `Bearer ${options.key ?? CLIENT_KEY}`, ...(options.json !== undefined && { 'content-type': 'application/json' }) },
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    });
    const text = await response.text();
    const body = (response.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
    return { status: response.status, headers: response.headers, body, ms: Math.round(performance.now() - started) };
  };

  const finishedJob = (jobId: string) =>
    waitFor(() => call('GET', `/api/jobs/${jobId}?wait=5`), (answer) => answer.body?.status === 'completed', 60_000);

  before(async function () {
    this.timeout(300_000);
    const cli = await resolveTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-outage-'));
    const port = await freePort();
    const uiPort = await freePort();
    const dbFile = path.join(dataDir, 'temporal.db');
    startServer = () => startDevServer({ cliPath: cli.path, port, uiPort, dbFile, namespace: 'default', headless: true });
    devServer = await startServer();
    temporalAddress = devServer.address;
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: devServer.address,
      TEMPORAL_TASK_QUEUE: 'outage-test',
      DATA_DIR: dataDir,
      LLM_PROVIDERS: 'local',
      PORT: String(apiPort),
      API_KEYS: CLIENT_KEY,
      ADMIN_API_KEYS: ADMIN_KEY,
    };
    worker = await spawnWorker(env);
    api = spawnEntry('api/main.ts', env);
    await waitFor(async () => api!.output(), (output) => output.includes('listening'), 60_000);
  });

  after(async () => {
    await api?.stop();
    await worker?.stop();
    await devServer?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 + Retry-After for Temporal routes, serves documents, liveness and cached answers, and recovers', async () => {
    // A finished job whose answer is cached, and a document never analyzed.
    const analyzed = await call('POST', '/api/documents', { json: { content: `Acme Corporation opens an office in Lisbon (${randomUUID()}). Customers love it.` } });
    const started = await call('POST', '/api/analyze', { json: { documentId: analyzed.body.id } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const finished = await finishedJob(started.body.jobId);
    const fresh = await call('POST', '/api/documents', { json: { content: `Globex ships a new turbine in Oslo (${randomUUID()}).` } });

    devServer!.process.kill('SIGKILL');
    await new Promise((resolve) => devServer!.process.once('exit', resolve));
    devServer = undefined;

    const figures: Record<string, number> = {};
    const expectTemporalAway = async (name: string, method: string, urlPath: string, options: { json?: unknown; key?: string } = {}) => {
      const answer = await call(method, urlPath, options);
      figures[name] = answer.ms;
      assert.equal(answer.status, 503, `${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
      assert.match(answer.headers.get('retry-after') ?? '', /^\d+$/, `${name}: no Retry-After`);
      // Routes that read the operation mode first say so in their own code; every message names Temporal.
      assert.ok(['temporal_unavailable', 'operation_mode_unavailable', 'analysis_disabled'].includes(answer.body.error?.code), `${name}: ${JSON.stringify(answer.body)}`);
      assert.match(answer.body.error.message, /Temporal/, `${name}: ${answer.body.error.message}`);
      return answer;
    };

    const first = await expectTemporalAway('POST /api/analyze (new document)', 'POST', '/api/analyze', { json: { documentId: fresh.body.id } });
    assert.equal(first.body.error.code, 'temporal_unavailable');
    assert.ok(first.body.error.message.includes(`Temporal at ${temporalAddress}`), first.body.error.message);
    await expectTemporalAway('GET /api/jobs', 'GET', '/api/jobs');
    await expectTemporalAway('GET /api/jobs/:id (unknown)', 'GET', `/api/jobs/analysis-${'0'.repeat(64)}`);
    await expectTemporalAway('GET /api/jobs/:id?wait=5 (unknown)', 'GET', `/api/jobs/analysis-${'1'.repeat(64)}?wait=5`);
    await expectTemporalAway('DELETE /api/jobs/:id', 'DELETE', `/api/jobs/${started.body.jobId}`);
    await expectTemporalAway('GET /api/jobs/:id/events', 'GET', `/api/jobs/${started.body.jobId}/events`);
    await expectTemporalAway('POST /api/analyze/batch', 'POST', '/api/analyze/batch', { json: { documentIds: [fresh.body.id] } });
    await expectTemporalAway('GET /api/batches/:id', 'GET', `/api/batches/batch-${randomUUID()}`);
    await expectTemporalAway('GET /api/operation-mode', 'GET', '/api/operation-mode');
    await expectTemporalAway('PUT /api/operation-mode', 'PUT', '/api/operation-mode', { json: { mode: 'DEGRADED', reason: 'outage test' }, key: ADMIN_KEY });

    // Many at once: one probes, the others are told at once.
    const burst = await Promise.all(Array.from({ length: 20 }, () => call('GET', '/api/jobs')));
    assert.deepEqual([...new Set(burst.map((answer) => answer.status))], [503]);
    figures['20 concurrent GET /api/jobs, slowest'] = Math.max(...burst.map((answer) => answer.ms));

    // What does not need Temporal keeps working.
    const cachedJob = await call('GET', `/api/jobs/${started.body.jobId}`);
    assert.equal(cachedJob.status, 200, JSON.stringify(cachedJob.body));
    assert.equal(cachedJob.body.servedFrom, 'cache');
    assert.equal(cachedJob.headers.get('x-served-from'), 'cache');
    assert.equal(cachedJob.body.status, 'completed');
    assert.deepEqual(cachedJob.body.result.summary, finished.body.result.summary);
    const cachedAnalysis = await call('POST', '/api/analyze', { json: { documentId: analyzed.body.id } });
    assert.equal(cachedAnalysis.status, 200);
    assert.equal(cachedAnalysis.body.cached, true);
    const created = await call('POST', '/api/documents', { json: { content: 'Written while Temporal was away.' } });
    assert.equal(created.status, 201);
    assert.equal((await call('GET', `/api/documents/${created.body.id}`)).status, 200);
    assert.equal((await call('PUT', `/api/documents/${created.body.id}`, { json: { content: 'Edited while away.' } })).status, 200);
    assert.equal((await call('DELETE', `/api/documents/${created.body.id}`)).status, 204);
    assert.equal((await call('GET', '/api/health/live')).status, 200);
    assert.equal((await call('GET', '/api/health/ready')).status, 503);
    console.log(`      while Temporal was away (ms): ${JSON.stringify(figures)}`);

    devServer = await startServer();
    const restartedAt = performance.now();
    // The first requests after the restart are served, a burst of them too: the API reconnects by itself.
    const firstReads = await Promise.all(Array.from({ length: 14 }, () => call('GET', `/api/jobs/${started.body.jobId}`)));
    assert.deepEqual(firstReads.map((answer) => answer.status), Array(14).fill(200), JSON.stringify(firstReads.map((answer) => answer.body)));
    const readBack = firstReads[0]!;
    assert.equal(readBack.body.servedFrom, undefined);
    assert.equal((await call('GET', '/api/jobs')).status, 200);
    const again = await call('POST', '/api/analyze', { json: { documentId: fresh.body.id } });
    assert.equal(again.status, 202, JSON.stringify(again.body));
    // And the worker took up its work again by itself.
    const done = await finishedJob(again.body.jobId);
    assert.equal(done.body.result.meta.provider, 'local');
    console.log(`      after the restart: first 14 concurrent reads ${Math.max(...firstReads.map((answer) => answer.ms))} ms, a new job completed ${Math.round(performance.now() - restartedAt)} ms after the server was back`);
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { request, waitFor } from '../helpers/http';
import { getTestStack, type RunningWorkers, type TestStack } from '../helpers/stack';
import { exposureProblem } from '../../api/auth';
import { loadConfig } from '../../shared/config';

const CLIENT_KEY = 'client-key-0123456789';
const ADMIN_KEY = 'admin-key-0123456789';

describe('API security: keys, admin routes, rate limit, headers, encrypted history, codec endpoint', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let workers: RunningWorkers;

  before(async function () {
    this.timeout(300_000);
    stack = await getTestStack();
    workers = await stack.startWorkers({
      TEMPORAL_TASK_QUEUE: `security-${randomUUID()}`,
      API_KEYS: `${CLIENT_KEY},another-client-key`,
      ADMIN_API_KEYS: ADMIN_KEY,
      RATE_LIMIT_PER_MINUTE: '1000',
    });
  });
  after(async () => workers.stop());

  const call = (method: string, path: string, key?: string, json?: unknown) =>
    fetch(`${workers.apiUrl}${path}`, {
      method,
      headers: { ...(key && { authorization: `Bearer ${key}` }), ...(json !== undefined && { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as any });
  const historyBytes = async (jobId: string) =>
    Buffer.from(temporal.api.history.v1.History.encode(await stack.client.workflow.getHandle(jobId).fetchHistory()).finish());

  it('answers 401 without a key or with a wrong one, as JSON naming the problem', async () => {
    const missing = await json(await call('GET', '/api/feature-flags'));
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error.code, 'unauthorized');
    const wrong = await json(await call('GET', '/api/feature-flags', 'not-a-key'));
    assert.equal(wrong.status, 401);
    assert.doesNotMatch(JSON.stringify(wrong.body), /not-a-key/);
    assert.equal((await call('GET', '/api/feature-flags', CLIENT_KEY)).status, 200);
  });

  it('keeps liveness and readiness open for orchestrators', async () => {
    assert.equal((await call('GET', '/api/health/live')).status, 200);
    assert.equal((await call('GET', '/api/health/ready')).status, 200);
    assert.equal((await call('GET', '/api/health')).status, 401);
  });

  it('answers 403 to a client key on an admin route and lets an admin key through', async () => {
    const override = { mode: 'DEGRADED', reason: 'security test' };
    const forbidden = await json(await call('PUT', '/api/operation-mode', CLIENT_KEY, override));
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.error.code, 'forbidden');
    assert.equal((await call('GET', '/api/operation-mode', CLIENT_KEY)).status, 200);
    const allowed = await json(await call('PUT', '/api/operation-mode', ADMIN_KEY, override));
    assert.equal(allowed.status, 200);
    assert.match(allowed.body.override.actor, /^key:[0-9a-f]{8}$/, 'the audit names the key by a digest, never the key');
    assert.equal((await call('DELETE', '/api/operation-mode/override', ADMIN_KEY)).status, 200);
  });

  it('sends helmet security headers', async () => {
    const response = await call('GET', '/api/health/live');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(response.headers.get('content-security-policy'));
    assert.equal(response.headers.get('x-powered-by'), null);
  });

  it('keeps document text and results out of Temporal history, failure messages included', async () => {
    const marker = `SECRET-MARKER-${randomUUID()}`;
    const created = await json(await call('POST', '/api/documents', CLIENT_KEY, { content: `The memo says ${marker}. Acme Corporation hires forty engineers in Lisbon.` }));
    const started = await json(await call('POST', '/api/analyze', CLIENT_KEY, { documentId: created.body.id }));
    assert.equal(started.status, 202);
    const done = await waitFor(() => request(workers.apiUrl, 'GET', `/api/jobs/${started.body.jobId}`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } }), (r) => r.body.status === 'completed');
    const history = await historyBytes(started.body.jobId);
    // The search works: the (non-secret) document id is there in plaintext, as a search attribute.
    assert.ok(history.includes(created.body.id));
    assert.ok(!history.includes(marker), 'document text found in history');
    assert.ok(!history.includes(done.body.result.summary.slice(0, 40)), 'result text found in history');

    const missing = await stack.client.workflow.start('analyzeDocument', {
      taskQueue: workers.config.temporal.taskQueue,
      workflowId: `security-${randomUUID()}`,
      args: [{ documentId: 'doc_00000000000000000000000000000000', analysisType: 'full' }],
    });
    await missing.result().catch(() => {});
    const failed = await historyBytes(missing.workflowId);
    assert.ok(failed.includes('Encoded failure'), 'failure attributes are encoded');
    assert.ok(!failed.includes('does not exist'), 'failure message found in plaintext');
  });

  it('serves a codec endpoint for the Temporal UI: round-trips payloads, rejects unauthenticated calls, CORS for the UI', async () => {
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"hello":"codec"}').toString('base64') };
    const unauthenticated = await call('POST', '/codec/encode', undefined, { payloads: [plain] });
    assert.equal(unauthenticated.status, 401);
    const encoded = await json(await call('POST', '/codec/encode', CLIENT_KEY, { payloads: [plain] }));
    assert.equal(encoded.status, 200);
    assert.equal(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString(), 'binary/encrypted');
    const decoded = await json(await call('POST', '/codec/decode', CLIENT_KEY, encoded.body));
    assert.deepEqual(decoded.body.payloads[0], plain);

    const preflight = await fetch(`${workers.apiUrl}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: new URL(workers.config.temporal.uiUrl).origin, 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), new URL(workers.config.temporal.uiUrl).origin);
  });

  it('limits each client to RATE_LIMIT_PER_MINUTE requests with 429 and Retry-After', async () => {
    const limited = await stack.startWorkers({ TEMPORAL_TASK_QUEUE: `rate-${randomUUID()}`, API_KEYS: CLIENT_KEY, RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 7; i++) {
        last = await fetch(`${limited.apiUrl}/api/feature-flags`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } });
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
      assert.ok(Number(last!.headers.get('retry-after')) > 0);
      assert.equal(((await last!.json()) as { error: { code: string } }).error.code, 'rate_limited');
    } finally {
      await limited.stop();
    }
  });
});

describe('API exposure rule', () => {
  it('refuses a non-loopback HOST without keys, allows loopback or keys', () => {
    assert.match(exposureProblem(loadConfig({ HOST: '0.0.0.0' })) ?? '', /refusing/);
    assert.equal(exposureProblem(loadConfig({ HOST: '127.0.0.1' })), undefined);
    assert.equal(exposureProblem(loadConfig({ HOST: '0.0.0.0', API_KEYS: 'k' })), undefined);
  });
});

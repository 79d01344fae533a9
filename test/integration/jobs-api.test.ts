import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request, waitFor } from '../helpers/http';
import { useProviderHarness } from '../helpers/provider-workers';

const uniqueText = () => `Acme Corporation opens a regional office in Lisbon (${randomUUID()}). Forty engineers will be hired.`;

describe('jobs API: cancel, list, long-poll, batches', function () {
  this.timeout(120_000);
  const harness = useProviderHarness();
  const api = (method: string, path: string, json?: unknown) => request(harness.workers!.apiUrl, method, path, json === undefined ? {} : { json });
  const newDocument = async () => (await api('POST', '/api/documents', { content: uniqueText() })).body.id as string;

  it('DELETE /api/jobs/:id cancels the job and aborts its in-flight provider request', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'hang' });
    await harness.start({ ANTHROPIC_TIMEOUT_SECONDS: '30' });
    const started = await api('POST', '/api/analyze', { documentId: await newDocument() });
    await harness.emulator.provider('anthropic').waitForRequests(1, 20_000);
    const cancelled = await api('DELETE', `/api/jobs/${started.body.jobId}`);
    assert.equal(cancelled.status, 202);
    assert.deepEqual(cancelled.body, { jobId: started.body.jobId, status: 'cancelling' });
    await harness.emulator.provider('anthropic').waitForAbort(15_000);
    const view = await waitFor(() => api('GET', `/api/jobs/${started.body.jobId}`), (response) => response.body.status === 'cancelled', 20_000);
    assert.equal(view.body.stage, 'cancelled');
    const again = await api('DELETE', `/api/jobs/${started.body.jobId}`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'job_closed');
    assert.equal((await api('DELETE', `/api/jobs/analysis-${randomUUID()}`)).status, 404);
  });

  it('GET /api/jobs/:id?wait=N answers as soon as the job changes, not after N seconds', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'ok', delayMs: 1_500 });
    await harness.start();
    const started = await api('POST', '/api/analyze', { documentId: await newDocument() });
    let view = await api('GET', `/api/jobs/${started.body.jobId}`);
    // A version other than the current one is answered at once: the client has not seen this state yet.
    const behind = Date.now();
    const caughtUp = await api('GET', `/api/jobs/${started.body.jobId}?wait=20&since=0000000000000000`);
    assert.ok(Date.now() - behind < 5_000, 'a stale since is answered without waiting');
    assert.match(caughtUp.body.version, /^[0-9a-f]{16}$/);
    const seen = [view.body.status];
    while (!['completed', 'failed'].includes(view.body.status)) {
      const before = Date.now();
      view = await api('GET', `/api/jobs/${started.body.jobId}?wait=20&since=${view.body.version}`);
      assert.ok(Date.now() - before < 10_000, 'long-poll returned on the change');
      seen.push(view.body.status);
    }
    assert.equal(seen.at(-1), 'completed');
    for (const bad of ['wait=-1', 'wait=abc', 'wait=31', 'wait=1&wait=2', 'other=1', 'since=xyz']) {
      const response = await api('GET', `/api/jobs/${started.body.jobId}?${bad}`);
      assert.equal(response.status, 400, bad);
      assert.equal(response.body.error.code, 'invalid_request');
    }
  });

  it('GET /api/jobs lists jobs through Temporal visibility, filtered by status and document', async () => {
    await harness.start();
    const documentId = await newDocument();
    const started = await api('POST', '/api/analyze', { documentId });
    await waitFor(() => api('GET', `/api/jobs/${started.body.jobId}`), (response) => response.body.status === 'completed');
    const listed = await waitFor(
      () => api('GET', `/api/jobs?documentId=${documentId}&status=completed`),
      (response) => response.body.jobs?.length === 1,
      20_000,
    );
    assert.equal(listed.body.jobs[0].jobId, started.body.jobId);
    assert.equal(listed.body.jobs[0].provider, 'anthropic');
    assert.equal((await api('GET', `/api/jobs?documentId=${documentId}&status=failed`)).body.jobs.length, 0);
    for (const bad of ['status=bogus', "documentId=x' OR 1=1", 'pageSize=0', 'pageSize=1000']) {
      assert.equal((await api('GET', `/api/jobs?${bad}`)).status, 400, bad);
    }
  });

  it('a batch of 20 documents with concurrency 5 never runs more than 5 children at once', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'ok', delayMs: 400 });
    await harness.start({ ANTHROPIC_RATE_LIMIT: '6000' });
    const documentIds = await Promise.all(Array.from({ length: 20 }, newDocument));
    let peakInFlight = 0;
    const sampler = setInterval(() => (peakInFlight = Math.max(peakInFlight, harness.emulator.provider('anthropic').inFlight)), 10);
    try {
      const started = await api('POST', '/api/analyze/batch', { documentIds, concurrency: 5 });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      const done = await waitFor(() => api('GET', `/api/batches/${started.body.batchId}`), (response) => response.body.status !== 'running', 90_000);
      assert.equal(done.body.status, 'completed');
      assert.equal(done.body.total, 20);
      assert.equal(done.body.counts.completed, 20);
      assert.ok(done.body.peakRunning <= 5 && done.body.peakRunning >= 2, `peak children ${done.body.peakRunning}`);
      const child = await api('GET', `/api/jobs/${done.body.children[0].jobId}`);
      assert.equal(child.body.status, 'completed');
    } finally {
      clearInterval(sampler);
    }
    assert.ok(peakInFlight <= 5, `the provider saw ${peakInFlight} requests at once`);
    assert.ok(peakInFlight >= 2, `the provider saw ${peakInFlight} requests at once: no parallelism`);
    assert.equal(harness.emulator.provider('anthropic').requests, 20);
  });

  it('rejects bad batches: unknown documents 404, repeats and sizes 400, batch disabled by mode 503', async () => {
    await harness.start();
    const documentId = await newDocument();
    assert.equal((await api('POST', '/api/analyze/batch', { documentIds: ['doc_00000000000000000000000000000000'] })).status, 404);
    assert.equal((await api('POST', '/api/analyze/batch', { documentIds: [documentId, documentId] })).status, 400);
    assert.equal((await api('POST', '/api/analyze/batch', { documentIds: [] })).status, 400);
    assert.equal((await api('POST', '/api/analyze/batch', { documentIds: [documentId], concurrency: 50 })).status, 400);
    assert.equal((await api('PUT', '/api/operation-mode', { mode: 'EMERGENCY', reason: 'batch test' })).status, 200);
    const disabled = await api('POST', '/api/analyze/batch', { documentIds: [documentId] });
    assert.equal(disabled.status, 503);
    assert.ok(disabled.headers.get('retry-after'));
  });
});

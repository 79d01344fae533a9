import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request, waitFor } from '../helpers/http';
import { useProviderHarness } from '../helpers/provider-workers';

const uniqueText = () => `Acme Corporation opens a regional office in Lisbon (${randomUUID()}). Forty engineers will be hired.`;

describe('analysis cache in front of the jobs: fast path, coalescing, invalidation, Redis failures', function () {
  this.timeout(120_000);
  const harness = useProviderHarness({ redis: true });
  const start = (overrides: NodeJS.ProcessEnv = {}) => harness.start({ REDIS_URL: harness.redis.url, ...overrides });
  const api = (method: string, path: string, json?: unknown) => request(harness.workers!.apiUrl, method, path, json === undefined ? {} : { json });
  const createDocument = async (content = uniqueText()) => {
    const created = await api('POST', '/api/documents', { content });
    assert.equal(created.status, 201);
    return created.body as { id: string };
  };
  /** POST /api/analyze, then the finished job's body (or the cached answer at once). */
  const analyze = async (body: object) => {
    const started = await api('POST', '/api/analyze', body);
    if (started.status === 200) return { started, final: started.body };
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const done = await waitFor(() => api('GET', `/api/jobs/${started.body.jobId}`), (response) => ['completed', 'failed'].includes(response.body.status), 60_000);
    return { started, final: done.body };
  };

  it('50 identical concurrent requests share one job and one provider call, with 50 equal results', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'ok', delayMs: 1_500 });
    await start();
    const document = await createDocument();
    const responses = await Promise.all(Array.from({ length: 50 }, () => api('POST', '/api/analyze', { documentId: document.id })));
    const jobIds = new Set(responses.filter((response) => response.status === 202).map((response) => response.body.jobId));
    assert.ok(responses.every((response) => response.status === 202 || response.status === 200), JSON.stringify(responses.map((r) => r.status)));
    assert.equal(jobIds.size, 1, `job ids: ${[...jobIds].join(', ')}`);
    const results = await Promise.all(
      responses.map(async (response) => {
        if (response.status === 200) return response.body.result;
        const done = await waitFor(() => api('GET', `/api/jobs/${response.body.jobId}`), (r) => r.body.status === 'completed', 60_000);
        return done.body.result;
      }),
    );
    assert.equal(harness.emulator.provider('anthropic').requests, 1);
    const contents = results.map(({ meta: _meta, ...content }) => JSON.stringify(content));
    assert.equal(new Set(contents).size, 1);
  });

  it('answers a repeated request from the cache: 200, meta.cached true, no tokens, no provider call', async () => {
    await start();
    const document = await createDocument();
    const first = await analyze({ documentId: document.id });
    assert.equal(first.final.result.meta.cached, false);
    assert.ok(first.final.tokens.input > 0);

    const second = await api('POST', '/api/analyze', { documentId: document.id });
    assert.equal(second.status, 200);
    assert.equal(second.body.cached, true);
    assert.equal(second.body.result.meta.cached, true);
    assert.equal(second.body.result.meta.inputTokens, 0);
    assert.equal(second.body.result.meta.outputTokens, 0);
    assert.deepEqual(second.body.tokens, { input: 0, output: 0 });
    assert.equal(second.body.result.summary, first.final.result.summary);
    assert.equal(harness.emulator.provider('anthropic').requests, 1);
  });

  it('a different analysis option is a different cache entry', async () => {
    await start();
    const document = await createDocument();
    await analyze({ documentId: document.id });
    const other = await api('POST', '/api/analyze', { documentId: document.id, maxTokens: 300 });
    assert.equal(other.status, 202);
  });

  it('invalidates every cached analysis of a document when it is updated, and reuses the job id for a fresh run', async () => {
    await start();
    const original = uniqueText();
    const document = await createDocument(original);
    const first = await analyze({ documentId: document.id });
    assert.equal((await api('POST', '/api/analyze', { documentId: document.id })).status, 200);

    const updated = await api('PUT', `/api/documents/${document.id}`, { content: uniqueText() });
    assert.equal(updated.status, 200);
    const afterEdit = await analyze({ documentId: document.id });
    assert.equal(afterEdit.started.status, 202);
    assert.notEqual(afterEdit.started.body.jobId, first.started.body.jobId);

    // Back to the original text: its entry was dropped with the edit, so a fresh run under the old job id.
    await api('PUT', `/api/documents/${document.id}`, { content: original });
    const again = await analyze({ documentId: document.id });
    assert.equal(again.started.status, 202);
    assert.equal(again.started.body.jobId, first.started.body.jobId);
    assert.equal(again.final.status, 'completed');
    assert.equal(harness.emulator.provider('anthropic').requests, 3);
  });

  it('deleting a document drops its cached analyses and later requests get 404', async () => {
    await start();
    const document = await createDocument();
    await analyze({ documentId: document.id });
    assert.equal((await api('DELETE', `/api/documents/${document.id}`)).status, 204);
    assert.equal((await api('POST', '/api/analyze', { documentId: document.id })).status, 404);
    assert.equal((await api('GET', `/api/documents/${document.id}`)).status, 404);
    assert.equal((await api('DELETE', `/api/documents/${document.id}`)).status, 404);
  });

  it('does not cache a fallback answer: the next request tries the first provider again', async () => {
    harness.emulator.provider('anthropic').enqueue({ kind: 'status', status: 401 });
    await start();
    const document = await createDocument();
    const first = await analyze({ documentId: document.id });
    assert.equal(first.final.result.meta.provider, 'openai');
    const second = await analyze({ documentId: document.id });
    assert.equal(second.started.status, 202);
    assert.equal(second.final.result.meta.provider, 'anthropic');
  });

  it('analyzes inline content: stored as a document, then analyzed like one', async () => {
    await start();
    const { started, final } = await analyze({ content: uniqueText(), title: 'inline' });
    assert.equal(final.status, 'completed');
    const document = await api('GET', `/api/documents/${final.documentId ?? started.body.documentId}`);
    assert.equal(document.status, 200);
    assert.equal(document.body.title, 'inline');
  });

  it('keeps serving with Redis killed mid-run (no client-visible error), and uses Redis again once it is back', async () => {
    await start();
    const before = await createDocument();
    await analyze({ documentId: before.id });
    await harness.redis.kill();
    try {
      const during = await createDocument();
      const first = await analyze({ documentId: during.id });
      assert.equal(first.final.status, 'completed');
      const second = await api('POST', '/api/analyze', { documentId: during.id });
      assert.equal(second.status, 200, 'served from the memory and disk tiers');
      assert.equal((await api('POST', '/api/analyze', { documentId: before.id })).status, 200);
    } finally {
      await harness.redis.restart();
    }
    const health = await waitFor(() => api('GET', '/api/health'), (response) => response.body?.checks?.['cache:redis']?.[0]?.status === 'pass', 20_000);
    assert.equal(health.status, 200);
  });
});

import assert from 'node:assert/strict';
import { request, waitFor } from '../helpers/http';
import { useProviderHarness } from '../helpers/provider-workers';
import type { RunningWorkers } from '../helpers/stack';

const FAST_POLLING = { DEFERRED_POLL_INTERVAL_SECONDS: '0.2', RATE_LIMIT_PER_MINUTE: '100000' };
const text = (i: number) => `Document ${i}: Acme Corporation opens office number ${i} in Lisbon and hires ${i + 10} engineers.`;
const completionCalls = (log: readonly { path: string }[], provider: string) =>
  log.filter((entry) => entry.path === (provider === 'anthropic' ? '/anthropic/v1/messages' : '/openai/v1/chat/completions')).length;

describe('deferred analysis through the providers’ batch APIs (half price)', function () {
  this.timeout(120_000);
  const harness = useProviderHarness();

  const finishedJob = (running: RunningWorkers, jobId: string) =>
    waitFor(
      async () => (await request(running.apiUrl, 'GET', `/api/jobs/${jobId}?wait=10`)).body,
      (body) => ['completed', 'failed', 'cancelled'].includes(body.status),
      60_000,
    );

  it('a deferred batch of 20 documents goes through Anthropic Message Batches; the one item the batch errors on takes the sync chain', async () => {
    const running = await harness.start({ LLM_PROVIDERS: 'anthropic,local', ...FAST_POLLING });
    const anthropic = harness.emulator.provider('anthropic').setBatchBehaviour({ processingMs: 600 });
    // Items take their outcomes from the fault queue in order: the eighth errors (overloaded), the rest answer.
    anthropic.enqueue(...Array.from({ length: 7 }, () => ({ kind: 'ok' as const })), { kind: 'status', status: 529 });
    const documentIds: string[] = [];
    for (let i = 0; i < 20; i++) documentIds.push((await harness.stack.documents.create({ content: text(i) })).id);

    const started = await request(running.apiUrl, 'POST', '/api/analyze/batch', { json: { documentIds, deferred: true, concurrency: 4 } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.equal(started.body.deferred, true);
    const batch = await waitFor(
      async () => (await request(running.apiUrl, 'GET', `/api/batches/${started.body.batchId}`)).body,
      (body) => body.status !== 'running',
      60_000,
    );
    assert.equal(batch.status, 'completed', JSON.stringify(batch));
    assert.equal(batch.counts.completed, 20);

    const [submitted, ...others] = anthropic.batches.all();
    assert.equal(others.length, 0, 'one provider batch for the whole request');
    assert.equal(submitted!.items.length, 20);
    assert.deepEqual(batch.providerBatch, { provider: 'anthropic', batchId: submitted!.id, status: 'ended' });

    const viaBatch = batch.children.filter((child: { route?: string }) => child.route === 'batch');
    const viaSync = batch.children.filter((child: { route?: string }) => child.route === 'sync');
    assert.equal(viaBatch.length, 19);
    assert.ok(viaBatch.every((child: { jobId?: string; provider?: string }) => child.jobId === undefined && child.provider === 'anthropic'));
    assert.equal(viaSync.length, 1);
    assert.equal(viaSync[0].documentId, documentIds[7]);
    assert.equal(completionCalls(anthropic.requestLog, 'anthropic'), 1, 'only the errored item was sent synchronously');
    const fallbackJob = await finishedJob(running, viaSync[0].jobId);
    assert.equal(fallbackJob.status, 'completed');
    assert.equal(fallbackJob.result.meta.provider, 'anthropic');

    assert.equal(batch.savings.discount, 0.5);
    assert.ok(batch.savings.inputTokens > 0 && batch.savings.outputTokens > 0);
    assert.ok(batch.savings.costNanoUsd > 0 && batch.savings.savedNanoUsd >= batch.savings.costNanoUsd, JSON.stringify(batch.savings));
    // A document answered by the batch is in the cache: asking again costs nothing.
    const again = await request(running.apiUrl, 'POST', '/api/analyze', { json: { documentId: documentIds[0] } });
    assert.equal(again.status, 200);
    assert.equal(again.body.cached, true);
  });

  it('a deferred request through OpenAI Batch shows route batch and what it saved', async () => {
    const running = await harness.start({ LLM_PROVIDERS: 'openai,local', ...FAST_POLLING });
    const openai = harness.emulator.provider('openai').setBatchBehaviour({ processingMs: 400 });
    const started = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content: text(100), deferred: true } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const job = await finishedJob(running, started.body.jobId);
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.equal(job.route, 'batch');
    const { inputTokens, outputTokens, costNanoUsd } = job.result.meta;
    assert.deepEqual(job.savings, { discount: 0.5, inputTokens, outputTokens, costNanoUsd, savedNanoUsd: costNanoUsd });
    assert.deepEqual(job.cost, { nanoUsd: costNanoUsd, usd: costNanoUsd / 1e9 });
    assert.deepEqual(job.chain.map((step: { provider: string; outcome: string; route?: string }) => [step.provider, step.outcome, step.route]), [['openai', 'succeeded', 'batch']]);
    assert.equal(completionCalls(openai.requestLog, 'openai'), 0);
    const paths = openai.requestLog.map((entry) => entry.path);
    assert.ok(paths.includes('/openai/v1/files') && paths.includes('/openai/v1/batches'));
    assert.ok(paths.some((path) => /^\/openai\/v1\/files\/file-[0-9a-f]+\/content$/.test(path)), 'the output file was read');
  });

  it('an expired batch falls back to the sync chain (route sync), the failed batch step kept in the chain', async () => {
    const running = await harness.start({ LLM_PROVIDERS: 'openai,local', ...FAST_POLLING });
    const openai = harness.emulator.provider('openai').setBatchBehaviour({ processingMs: 300, expire: true });
    const started = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content: text(200), deferred: true } });
    const job = await finishedJob(running, started.body.jobId);
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.equal(job.route, 'sync');
    assert.equal(job.savings, undefined);
    assert.deepEqual(
      job.chain.map((step: { provider: string; outcome: string; route?: string; errorType?: string }) => [step.provider, step.outcome, step.route, step.errorType]),
      [
        ['openai', 'failed', 'batch', 'BatchItemExpired'],
        ['openai', 'succeeded', undefined, undefined],
      ],
    );
    assert.equal(completionCalls(openai.requestLog, 'openai'), 1);
  });

  it('a job that waits longer than DEFERRED_MAX_WAIT_SECONDS cancels its batch and takes the sync chain', async () => {
    const running = await harness.start({ LLM_PROVIDERS: 'anthropic,local', ...FAST_POLLING, DEFERRED_MAX_WAIT_SECONDS: '1' });
    const anthropic = harness.emulator.provider('anthropic').setBatchBehaviour({ processingMs: 60_000 });
    const started = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content: text(300), deferred: true } });
    // The same request without `deferred` does not join the waiting job: it runs now, on its own.
    const now = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content: text(300) } });
    assert.equal(now.status, 202);
    assert.notEqual(now.body.jobId, started.body.jobId);
    const job = await finishedJob(running, started.body.jobId);
    assert.equal(job.status, 'completed');
    assert.equal(job.route, 'sync');
    assert.equal(job.chain[0].errorType, 'BatchItemExpired');
    assert.ok(anthropic.batches.all()[0]!.polls >= 1, 'the job checked the batch while it was in progress');
    assert.ok(anthropic.requestLog.some((entry) => entry.path.endsWith('/cancel')), 'the batch was cancelled');
  });
});

/**
 * Cancel ends in what it says, for every kind of job: the job ends `cancelled`, and its provider and
 * chain show only what ran (no next provider started after the cancel, a step cut off stays in the
 * chain as `cancelled`). Real dev server, real workers, the provider emulator holding requests open.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { JobService } from '../../api/jobs';
import { dataConverterFor } from '../../shared/adapters/data-converter';
import { loadConfig } from '../../shared/config';
import type { AnalysisResult } from '../../shared/core/analysis-result';
import { SEARCH_ATTRIBUTES } from '../../shared/core/names';
import { planProviderChain } from '../../shared/core/providers/plan';
import { request, waitFor } from '../helpers/http';
import { spawnWorker } from '../helpers/processes';
import { providerEnv, useProviderHarness } from '../helpers/provider-workers';

const uniqueText = () => `Acme Corporation opens a regional office in Lisbon (${randomUUID()}). Forty engineers will be hired.`;

describe('cancel ends in what it says, for every kind of job', function () {
  this.timeout(180_000);
  const harness = useProviderHarness();
  const api = (method: string, path: string, json?: unknown) => request(harness.workers!.apiUrl, method, path, json === undefined ? {} : { json });
  const startJob = async (content = uniqueText()) => (await api('POST', '/api/analyze', { content })).body.jobId as string;
  const cancelledView = async (jobId: string) => {
    const cancel = await api('DELETE', `/api/jobs/${jobId}`);
    assert.equal(cancel.status, 202, JSON.stringify(cancel.body));
    assert.equal(cancel.body.status, 'cancelling');
    return (await waitFor(() => api('GET', `/api/jobs/${jobId}`), (response) => ['cancelled', 'completed', 'failed'].includes(response.body.status), 30_000)).body;
  };
  const providerAttribute = async (jobId: string) => (await harness.stack.client.workflow.getHandle(jobId).describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.provider);

  it('a running remote job: cancelled, its provider the one that ran, its step in the chain as cancelled; local never runs', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'hang' });
    await harness.start({ LLM_PROVIDERS: 'anthropic,local', ANTHROPIC_TIMEOUT_SECONDS: '30' });
    const jobId = await startJob();
    await harness.emulator.provider('anthropic').waitForRequests(1, 20_000);
    const view = await cancelledView(jobId);
    assert.equal(view.status, 'cancelled');
    assert.equal(view.provider, 'anthropic');
    assert.deepEqual(view.chain.map((step: { provider: string; outcome: string }) => [step.provider, step.outcome]), [['anthropic', 'cancelled']]);
    assert.equal(await providerAttribute(jobId), 'anthropic');
  });

  it('a remote job waiting between retries: cancelled at once, the step cancelled on its announced attempt', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'status', status: 503 });
    await harness.start({ LLM_PROVIDERS: 'anthropic,local', ANTHROPIC_RETRY_INITIAL_INTERVAL_SECONDS: '60', ANTHROPIC_RETRY_MAX_INTERVAL_SECONDS: '60' });
    const jobId = await startJob();
    await waitFor(() => api('GET', `/api/jobs/${jobId}`), (response) => response.body.currentAttempt?.attempt === 2, 20_000);
    const view = await cancelledView(jobId);
    assert.equal(view.status, 'cancelled');
    assert.equal(view.provider, 'anthropic');
    assert.deepEqual(view.chain, [{ provider: 'anthropic', outcome: 'cancelled', attempts: 2, errorType: 'Cancelled', inputTokens: 0, outputTokens: 0 }]);
    assert.equal(harness.emulator.provider('anthropic').requests, 1, 'no attempt after the cancel');
    assert.equal(await providerAttribute(jobId), 'anthropic');
  });

  it('a running local job: cancelled, not completed (the analyzer cannot be interrupted, so its answer is recorded in the chain only)', async function () {
    this.timeout(240_000);
    // A worker process of its own: the analyzer's seconds of CPU must not block this process's client.
    const env = { ...harness.stack.env, TEMPORAL_TASK_QUEUE: `cancel-local-${randomUUID()}`, LLM_PROVIDERS: 'local' };
    const worker = await spawnWorker(env);
    try {
      const jobs = new JobService(harness.stack.client, loadConfig(env));
      // A 1 MB document keeps the extractive analyzer busy for seconds (about 8 s on the 2-core machine).
      const big = Array.from({ length: 12_000 }, (_, i) => `Sentence ${i} says Acme Corporation hired engineer ${i} in Lisbon and customers were happy.`).join(' ');
      const document = await harness.stack.documents.create({ content: big });
      const started = await jobs.start({ documentId: document.id, analysisType: 'full' });
      // The task that says `running` with provider `local` is the one that started the analyzer.
      await waitFor(() => jobs.read(started.jobId), (job) => job?.status === 'running' && job.provider === 'local', 30_000);
      const beforeCancel = await jobs.read(started.jobId);
      assert.deepEqual(await jobs.cancel(started.jobId), { jobId: started.jobId, status: 'cancelling' });
      // Followed as a long-polling client does: the analyzer's answer is read, then the close alone, which
      // here is not the completion that carries the finished job, so the rest of the history is read too.
      let view = beforeCancel;
      for (let reads = 0; view?.status === 'running'; reads++) {
        assert.ok(reads < 6, `woken by changes, not deadlines: ${JSON.stringify(view)}`);
        view = await jobs.readWhenChanged(started.jobId, 60_000, view.version);
      }
      assert.deepEqual(view, await jobs.read(started.jobId), 'the view a read of the whole history gives');
      assert.equal(view!.status, 'cancelled');
      assert.equal(view!.result, undefined);
      assert.deepEqual(view!.chain.map((step) => [step.provider, step.outcome]), [['local', 'succeeded']]);
    } finally {
      await worker.stop();
    }
  });

  it('a queued job (no worker yet): cancelled when a worker takes it, with no provider and an empty chain', async () => {
    const env = providerEnv(harness.emulator, { LLM_PROVIDERS: 'anthropic,local' });
    const config = loadConfig({ ...harness.stack.env, ...env });
    const jobs = new JobService(harness.stack.client, config);
    const document = await harness.stack.documents.create({ content: uniqueText() });
    const started = await jobs.start({ documentId: document.id, analysisType: 'full' });
    assert.deepEqual(await jobs.cancel(started.jobId), { jobId: started.jobId, status: 'cancelling' });
    await harness.start(env);
    const view = await waitFor(() => jobs.read(started.jobId), (job) => job?.status !== 'queued' && job?.status !== 'running', 30_000);
    assert.equal(view!.status, 'cancelled');
    assert.equal(view!.provider, undefined);
    assert.deepEqual(view!.chain, []);
    assert.equal(harness.emulator.provider('anthropic').requests, 0);
    assert.equal(await providerAttribute(started.jobId), undefined);
  });

  it('a finished job: 409 job_closed, and it stays completed', async () => {
    await harness.start({ LLM_PROVIDERS: 'local' });
    const jobId = await startJob();
    await waitFor(() => api('GET', `/api/jobs/${jobId}`), (response) => response.body.status === 'completed');
    const cancel = await api('DELETE', `/api/jobs/${jobId}`);
    assert.equal(cancel.status, 409);
    assert.equal(cancel.body.error.code, 'job_closed');
    assert.equal((await api('GET', `/api/jobs/${jobId}`)).body.status, 'completed');
  });

  it('a step that fails by itself after the cancel (it never saw it): no next provider is started', async () => {
    const taskQueue = `cancel-stub-${randomUUID()}`;
    const config = loadConfig({ ...harness.stack.env, ...providerEnv(harness.emulator, { TEMPORAL_TASK_QUEUE: taskQueue, LLM_PROVIDERS: 'anthropic,local' }) });
    let localCalls = 0;
    let providerStartedResolve!: () => void;
    const providerStarted = new Promise<void>((resolve) => (providerStartedResolve = resolve));
    const activities = {
      // Deaf to the cancel (no heartbeat), then a failure of its own that moves the chain on.
      callProvider: async () => {
        providerStartedResolve();
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        throw ApplicationFailure.nonRetryable('the provider refused the request', 'InvalidRequest');
      },
      analyzeWithLocalAnalyzer: async (): Promise<AnalysisResult> => {
        localCalls++;
        throw ApplicationFailure.nonRetryable('local must not run after a cancel', 'Unexpected');
      },
    };
    const workers = await Promise.all(
      [taskQueue, `${taskQueue}-llm-anthropic`].map((queue) =>
        Worker.create({ connection: harness.stack.nativeConnection, taskQueue: queue, workflowBundle: harness.stack.workflowBundle, activities, dataConverter: dataConverterFor(config) }),
      ),
    );
    const jobs = new JobService(harness.stack.client, config);
    const plan = planProviderChain(config);
    assert.deepEqual(plan.map((step) => step.taskQueue), [`${taskQueue}-llm-anthropic`, taskQueue]);
    const runs = workers.map((worker) => worker.run());
    try {
      const started = await jobs.start({ documentId: 'doc_stub', analysisType: 'full' });
      await providerStarted;
      await jobs.cancel(started.jobId);
      const view = await waitFor(() => jobs.read(started.jobId), (job) => job?.status === 'cancelled' || job?.status === 'failed', 20_000);
      assert.equal(view!.status, 'cancelled');
      assert.equal(view!.provider, 'anthropic');
      assert.deepEqual(view!.chain.map((step) => [step.provider, step.outcome, step.errorType]), [['anthropic', 'failed', 'InvalidRequest']]);
      assert.equal(localCalls, 0);
    } finally {
      workers.forEach((worker) => worker.shutdown());
      await Promise.all(runs);
    }
  });
});

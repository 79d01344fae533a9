import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@redis/client';
import { waitFor } from '../helpers/http';
import { providerEnv, useProviderHarness } from '../helpers/provider-workers';
import { spawnWorker } from '../helpers/processes';
import { JobService } from '../../api/jobs';
import { loadConfig } from '../../shared/config';
import type { JobView } from '../../api/job-view';

const ARTICLE = 'Acme Corporation opens a regional office in Lisbon next spring and plans to hire forty engineers.';

describe('circuit breakers and rate limits shared by every worker', function () {
  this.timeout(120_000);
  const harness = useProviderHarness({ redis: true });
  const finished = (view: JobView | undefined) => view !== undefined && ['completed', 'failed', 'cancelled'].includes(view.status);
  const analyze = async (jobs: JobService): Promise<JobView> => {
    const document = await harness.stack.documents.create({ content: ARTICLE });
    const job = await jobs.start({ documentId: document.id, analysisType: 'full' });
    return (await waitFor(() => jobs.read(job.jobId), finished, 60_000))!;
  };
  const breakerSettings = {
    ANTHROPIC_RETRY_ATTEMPTS: '1',
    ANTHROPIC_CIRCUIT_BREAKER_THRESHOLD: '2',
    // The server-side rate limit (100/min by default) would space the concurrent jobs' calls apart.
    ANTHROPIC_RATE_LIMIT: '6000',
    // Long enough that the next job surely starts while the circuit is still open on a slow CI machine.
    ANTHROPIC_CIRCUIT_BREAKER_RECOVERY_SECONDS: '6',
  };

  it('opens after the threshold, rejects without a request, lets one probe through after the recovery time, then closes', async () => {
    const anthropic = harness.emulator.provider('anthropic');
    anthropic.setDefault({ kind: 'status', status: 500 });
    const workers = await harness.start(breakerSettings);

    for (let job = 0; job < 2; job++) assert.equal((await analyze(workers.jobs)).result?.meta.provider, 'openai');
    assert.equal(anthropic.requests, 2);

    const rejected = await analyze(workers.jobs);
    assert.equal(anthropic.requests, 2, 'an open circuit sends nothing');
    assert.deepEqual(
      rejected.chain.map((step) => [step.provider, step.errorType, step.attempts]),
      [['anthropic', 'CircuitOpen', 1], ['openai', undefined, 1]],
    );

    await sleep(6_100);
    anthropic.setDefault({ kind: 'ok', delayMs: 2_000 }); // the probe is still in flight when the other two jobs ask
    const concurrent = await Promise.all([analyze(workers.jobs), analyze(workers.jobs), analyze(workers.jobs)]);
    assert.equal(anthropic.requests, 3, 'exactly one probe while half-open');
    assert.deepEqual(concurrent.map((view) => view.result?.meta.provider).sort(), ['anthropic', 'openai', 'openai']);

    anthropic.setDefault({ kind: 'ok' });
    assert.equal((await analyze(workers.jobs)).result?.meta.provider, 'anthropic', 'closed after the probe succeeded');
  });

  it('re-opens when the half-open probe fails', async () => {
    const anthropic = harness.emulator.provider('anthropic');
    anthropic.setDefault({ kind: 'status', status: 529 });
    const workers = await harness.start(breakerSettings);
    await analyze(workers.jobs);
    await analyze(workers.jobs);
    await sleep(6_100);
    await analyze(workers.jobs); // the probe, fails
    assert.equal(anthropic.requests, 3);
    const view = await analyze(workers.jobs);
    assert.equal(view.chain[0]?.errorType, 'CircuitOpen');
    assert.equal(anthropic.requests, 3);
  });

  it('shares breaker state between two worker processes through Redis', async () => {
    const env = { ...harness.stack.env, ...providerEnv(harness.emulator, { ...breakerSettings, ANTHROPIC_CIRCUIT_BREAKER_RECOVERY_SECONDS: '60', REDIS_URL: harness.redis.url }) };
    const config = loadConfig(env);
    const processes = await Promise.all([spawnWorker(env), spawnWorker(env)]);
    try {
      harness.emulator.provider('anthropic').setDefault({ kind: 'status', status: 500 });
      const jobs = new JobService(harness.stack.client, config);
      const views = await Promise.all(Array.from({ length: 8 }, async (_, index) => {
        await sleep(index * 400);
        return analyze(jobs);
      }));
      // Per-process breakers would need two failures in each process before both stopped calling.
      assert.equal(harness.emulator.provider('anthropic').requests, 2, 'the second failure, in whichever process, opened the breaker for both');
      assert.ok(views.every((view) => view.result?.meta.provider === 'openai'));
      const served = new Set(views.flatMap((view) => view.chain.filter((step) => step.errorType === 'CircuitOpen')).map(() => 'rejected'));
      assert.ok(served.size > 0);

      const client = createClient({ url: harness.redis.url });
      await client.connect();
      const stored = JSON.parse((await client.get(`llm-analysis:${config.temporal.taskQueue}:gate:anthropic`)) ?? '{}');
      await client.close();
      assert.equal(stored.breaker?.state, 'open');
    } finally {
      await Promise.all(processes.map((worker) => worker.stop()));
    }
  });

  it('holds rate_limit = 60/min across the cluster: 30 queued jobs reach the provider at ≤ 1.1 requests/s', async function () {
    this.timeout(180_000);
    const workers = await harness.start({ LLM_PROVIDERS: 'anthropic,local', ANTHROPIC_RATE_LIMIT: '60' });
    const second = await spawnWorker(workers.env);
    try {
      const documents = await Promise.all(Array.from({ length: 30 }, () => harness.stack.documents.create({ content: ARTICLE })));
      const jobs = await Promise.all(documents.map((document) => workers.jobs.start({ documentId: document.id, analysisType: 'full' })));
      const views = await Promise.all(jobs.map((job) => waitFor(() => workers.jobs.read(job.jobId), finished, 150_000)));
      assert.ok(views.every((view) => view?.result?.meta.provider === 'anthropic'));
      const times = harness.emulator.provider('anthropic').requestLog.map((request) => request.at).sort((a, b) => a - b);
      assert.equal(times.length, 30);
      const perSecond = ((times.length - 1) / (times.at(-1)! - times[0]!)) * 1000;
      console.log(`      rate seen by the provider: ${perSecond.toFixed(3)} requests/s over ${times.length} requests`);
      assert.ok(perSecond <= 1.1, `${perSecond.toFixed(3)} requests/s`);
    } finally {
      await second.stop();
    }
  });
});

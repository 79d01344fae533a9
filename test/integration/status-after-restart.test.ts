/**
 * Status right after a worker restart, with real processes (an API process and worker processes, the
 * provider emulator holding a call open): every read while the worker is gone, while a new one starts
 * and after the job ends shows the job as it is: running on its provider, never `queued`, a completed
 * job with its chain, and the interrupted attempt kept in the chain.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startProviderEmulator, type ProviderEmulator } from '../emulator/provider-emulator';
import { freePort } from '../helpers/ports';
import { request, waitFor } from '../helpers/http';
import { spawnEntry, spawnWorker, type Spawned } from '../helpers/processes';
import { providerEnv } from '../helpers/provider-workers';
import { getTestStack, type TestStack } from '../helpers/stack';

interface Seen {
  status: string;
  stage: string;
  provider?: string;
  chain: { provider: string; outcome: string; attempts?: number; attemptErrors?: string[] }[];
  currentAttempt?: { attempt: number };
}

describe('job status right after a worker restart (real processes)', function () {
  this.timeout(300_000);
  let stack: TestStack;
  let emulator: ProviderEmulator;
  const processes: Spawned[] = [];

  before(async function () {
    this.timeout(300_000);
    stack = await getTestStack();
    emulator = await startProviderEmulator();
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((process) => process.stop()));
  });
  after(() => emulator?.close());

  const startApi = async (env: NodeJS.ProcessEnv) => {
    const port = await freePort();
    const api = spawnEntry('api/main.ts', { ...env, PORT: String(port) });
    processes.push(api);
    await waitFor(async () => api.output(), (output) => output.includes('listening') || api.child.exitCode !== null, 60_000);
    return `http://127.0.0.1:${port}`;
  };
  const startWorker = async (env: NodeJS.ProcessEnv) => {
    const worker = await spawnWorker(env);
    processes.push(worker);
    return worker;
  };

  /** Reads the job every 100 ms until stopped; every answer is kept. */
  const watch = (apiUrl: string, jobId: string) => {
    const seen: Seen[] = [];
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        const response = await request<Seen>(apiUrl, 'GET', `/api/jobs/${jobId}`);
        if (response.status === 200) seen.push(response.body);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    return { seen, stop: async () => ((stopped = true), await loop) };
  };

  const assertHonest = (seen: Seen[]) => {
    const firstRunning = seen.findIndex((view) => view.status === 'running');
    assert.ok(firstRunning >= 0, 'seen running');
    for (const view of seen.slice(firstRunning)) {
      assert.notEqual(view.status, 'queued', `a started job read as queued: ${JSON.stringify(view)}`);
      assert.equal(view.provider, 'anthropic', `provider while it ran: ${JSON.stringify(view)}`);
      if (view.status === 'completed') assert.ok(view.chain.length > 0, `a completed job with an empty chain: ${JSON.stringify(view)}`);
    }
  };

  for (const [how, signal] of [['killed (SIGKILL)', 'SIGKILL'], ['stopped past its grace period (SIGTERM)', 'SIGTERM']] as const) {
    it(`a worker ${how} mid-call: reads stay running on anthropic, the new worker finishes it, the chain keeps the interrupted attempt`, async () => {
      emulator.reset();
      emulator.provider('anthropic').enqueue({ kind: 'ok', delayMs: 20_000 });
      const env = { ...stack.env, ...providerEnv(emulator, { LLM_PROVIDERS: 'anthropic,local', ANTHROPIC_TIMEOUT_SECONDS: '30', WORKER_SHUTDOWN_GRACE_SECONDS: '1' }) };
      const apiUrl = await startApi(env);
      const first = await startWorker(env);
      const started = await request(apiUrl, 'POST', '/api/analyze', { json: { content: `Acme opened an office in Porto (${randomUUID()}). Staff are pleased.` } });
      const jobId = started.body.jobId as string;
      const reads = watch(apiUrl, jobId);
      await emulator.provider('anthropic').waitForRequests(1, 30_000);
      first.child.kill(signal);
      await first.exited;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await startWorker(env);
      await waitFor(async () => reads.seen.at(-1), (view) => view?.status === 'completed', 60_000);
      await reads.stop();
      assertHonest(reads.seen);

      const done = reads.seen.at(-1)!;
      assert.deepEqual(done.chain.map((step) => [step.provider, step.outcome, step.attempts]), [['anthropic', 'succeeded', 2]]);
      assert.equal(done.chain[0]!.attemptErrors?.length, 1, `the interrupted attempt is in the chain: ${JSON.stringify(done.chain[0])}`);
      assert.equal(done.chain[0]!.attemptErrors![0], signal === 'SIGKILL' ? 'Interrupted' : 'WorkerShutdown');

      // A fresh API process right after a restart reads the finished job whole.
      const otherApi = await startApi(env);
      const fresh = await request<Seen>(otherApi, 'GET', `/api/jobs/${jobId}`);
      assert.equal(fresh.body.status, 'completed');
      assert.deepEqual(fresh.body.chain, done.chain);
    });
  }

  // ANTHROPIC_LOCAL_FIRST_ATTEMPT: the first attempt runs inside the workflow task. A killed worker
  // takes the task with it: it times out (10 s) and the next worker runs the step again, and the lost
  // attempt is not counted. A stopped worker finishes that attempt before it exits, grace period or not.
  const localFirstEnv = () => ({
    ...stack.env,
    ...providerEnv(emulator, { LLM_PROVIDERS: 'anthropic,local', ANTHROPIC_TIMEOUT_SECONDS: '30', WORKER_SHUTDOWN_GRACE_SECONDS: '1', ANTHROPIC_RATE_LIMIT: '0', ANTHROPIC_LOCAL_FIRST_ATTEMPT: 'true' }),
  });
  /** An API, a worker and a job whose first (local) attempt the provider answers after `delayMs`, once it has been asked. */
  const startLocalFirstJob = async (delayMs: number) => {
    emulator.reset();
    emulator.provider('anthropic').enqueue({ kind: 'ok', delayMs });
    const env = localFirstEnv();
    const apiUrl = await startApi(env);
    const first = await startWorker(env);
    const started = await request(apiUrl, 'POST', '/api/analyze', { json: { content: `Acme opened an office in Evora (${randomUUID()}). Staff are pleased.` } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    await emulator.provider('anthropic').waitForRequests(1, 30_000);
    return { env, apiUrl, first, jobId: started.body.jobId as string };
  };

  it('a worker killed (SIGKILL) during a local first attempt: the next worker runs the step again, and the lost attempt is not counted', async () => {
    const { env, apiUrl, first, jobId } = await startLocalFirstJob(20_000);
    first.child.kill('SIGKILL');
    await first.exited;
    await startWorker(env);
    const done = await waitFor(() => request<Seen>(apiUrl, 'GET', `/api/jobs/${jobId}?wait=20&until=finished`), (response) => response.body.status === 'completed', 60_000);
    assert.deepEqual(done.body.chain.map((step) => [step.provider, step.outcome, step.attempts, step.attemptErrors]), [['anthropic', 'succeeded', 1, undefined]]);
    assert.equal(emulator.provider('anthropic').requests, 2, 'the provider was asked twice; the chain shows the attempt that answered');
  });

  it('a worker stopped (SIGTERM) during a local first attempt finishes the call before it exits, past its grace period', async () => {
    const { apiUrl, first, jobId } = await startLocalFirstJob(5_000);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    const done = await request<Seen>(apiUrl, 'GET', `/api/jobs/${jobId}`);
    assert.equal(done.body.status, 'completed', JSON.stringify(done.body));
    assert.deepEqual(done.body.chain.map((step) => [step.provider, step.outcome, step.attempts]), [['anthropic', 'succeeded', 1]]);
    assert.equal(emulator.provider('anthropic').requests, 1);
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request, waitFor } from '../helpers/http';
import { useProviderHarness } from '../helpers/provider-workers';
import { providerGateKey } from '../../shared/adapters/gate-store';

describe('a provider without a server-side rate limit (<PROVIDER>_RATE_LIMIT=0)', function () {
  this.timeout(120_000);
  const harness = useProviderHarness();

  it("is called from the workflow's own queue, and each process still holds its calls to the bulkhead", async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'ok', delayMs: 400 });
    const workers = await harness.start({ ANTHROPIC_RATE_LIMIT: '0', ANTHROPIC_MAX_CONCURRENCY: '2' });
    const jobIds = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const content = `Acme Corporation opens an office in Porto (${randomUUID()}). Sixty engineers will be hired.`;
        const started = await request(workers.apiUrl, 'POST', '/api/analyze', { json: { content } });
        assert.equal(started.status, 202, JSON.stringify(started.body));
        return started.body.jobId as string;
      }),
    );
    for (const jobId of jobIds) {
      const done = await waitFor(() => request(workers.apiUrl, 'GET', `/api/jobs/${jobId}?wait=20&until=finished`), (r) => r.body.status !== 'running' && r.body.status !== 'queued', 60_000);
      assert.equal(done.body.status, 'completed', JSON.stringify(done.body));
      assert.equal(done.body.result.meta.provider, 'anthropic');
    }
    assert.equal(harness.emulator.provider('anthropic').requests, 6);
    assert.equal(harness.emulator.provider('anthropic').peakInFlight, 2, 'six jobs at once, two calls at a time');

    const history = await harness.stack.client.workflow.getHandle(jobIds[0]!).fetchHistory();
    const scheduled = history.events?.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'callProvider');
    assert.equal(scheduled?.activityTaskScheduledEventAttributes?.taskQueue?.name, workers.config.temporal.taskQueue);
  });

  it("a call that runs out of time waiting for the bulkhead fails as Timeout without counting against the provider's breaker", async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'hang' });
    const workers = await harness.start({
      LLM_PROVIDERS: 'anthropic,local',
      ANTHROPIC_RATE_LIMIT: '0',
      ANTHROPIC_MAX_CONCURRENCY: '1',
      ANTHROPIC_RETRY_ATTEMPTS: '1',
      ANTHROPIC_TIMEOUT_SECONDS: '2',
      ANTHROPIC_CIRCUIT_BREAKER_THRESHOLD: '2',
    });
    const jobs = await Promise.all(
      [1, 2].map(async (n) => {
        const started = await request(workers.apiUrl, 'POST', '/api/analyze?wait=20', { json: { content: `Acme opens office number ${n} in Braga (${randomUUID()}).` } });
        assert.equal(started.status, 200, JSON.stringify(started.body));
        return started.body;
      }),
    );
    // One call held the only slot until the provider timed out; the other never got one.
    const steps = jobs.map((job) => job.chain[0]);
    assert.deepEqual(jobs.map((job) => job.result.meta.provider), ['local', 'local']);
    assert.deepEqual(steps.map((step) => step.errorType), ['Timeout', 'Timeout']);
    assert.equal(steps.filter((step) => /MAX_CONCURRENCY=1/.test(step.errorMessage)).length, 1, JSON.stringify(steps));
    assert.equal(harness.emulator.provider('anthropic').requests, 1);
    const gate = await workers.gates.read(providerGateKey(workers.config.temporal.taskQueue, 'anthropic'));
    assert.equal(gate.breaker.state, 'closed', JSON.stringify(gate));
    assert.equal(gate.breaker.consecutiveFailures, 1, 'the provider timed out once; the wait says nothing about it');
  });

  it('keeps its own queue while a limit is set', async () => {
    const workers = await harness.start({ ANTHROPIC_RATE_LIMIT: '600' });
    const content = `Acme Corporation opens an office in Faro (${randomUUID()}).`;
    const started = await request(workers.apiUrl, 'POST', '/api/analyze', { json: { content } });
    const done = await waitFor(() => request(workers.apiUrl, 'GET', `/api/jobs/${started.body.jobId}?wait=20&until=finished`), (r) => r.body.status === 'completed', 60_000);
    assert.equal(done.body.result.meta.provider, 'anthropic');
    const history = await harness.stack.client.workflow.getHandle(started.body.jobId).fetchHistory();
    const scheduled = history.events?.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'callProvider');
    assert.equal(scheduled?.activityTaskScheduledEventAttributes?.taskQueue?.name, `${workers.config.temporal.taskQueue}-llm-anthropic`);
  });
});

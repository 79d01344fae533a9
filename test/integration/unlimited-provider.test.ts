import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request, waitFor } from '../helpers/http';
import { useProviderHarness } from '../helpers/provider-workers';

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

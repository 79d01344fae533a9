import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request, waitFor } from '../helpers/http';
import { useProviderHarness } from '../helpers/provider-workers';
import { historyWatchPolls } from '../../shared/adapters/temporal/history-change-watch';
import { historyCallsBetween, settledRequestCounts } from '../helpers/server-metrics';
import { readEventStream, type ReceivedEvent } from '../helpers/sse';

const uniqueText = () => `Acme Corporation opens a regional office in Porto (${randomUUID()}). Sixty engineers will be hired.`;
const isFinal = (event: ReceivedEvent) => ['completed', 'failed', 'cancelled'].includes(event.event);

describe('job reads: long-poll and server-sent events, event-driven', function () {
  this.timeout(120_000);
  const harness = useProviderHarness();
  const api = (method: string, path: string, json?: unknown, headers?: Record<string, string>) =>
    request(harness.workers!.apiUrl, method, path, { ...(json !== undefined && { json }), ...(headers && { headers }) });
  const startJob = async () => {
    const documentId = (await api('POST', '/api/documents', { content: uniqueText() })).body.id as string;
    const started = await api('POST', '/api/analyze', { documentId });
    assert.equal(started.status, 202);
    return started.body as { jobId: string; version: string };
  };
  const events = (jobId: string, headers?: Record<string, string>, until: (event: ReceivedEvent) => boolean = isFinal) =>
    readEventStream(`${harness.workers!.apiUrl}/api/jobs/${jobId}/events`, { headers, until, timeoutMs: 60_000 });

  it('a long-poll answers at once when the client is behind, then on each change, and with the result on completion', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'ok', delayMs: 1_500 });
    await harness.start();
    const job = await startJob();
    const behind = await api('GET', `/api/jobs/${job.jobId}?wait=20&since=0000000000000000`);
    assert.equal(behind.status, 200);
    assert.notEqual(behind.body.version, '0000000000000000');

    let view = behind.body;
    const statuses = [view.status];
    for (let reads = 0; view.status !== 'completed'; reads++) {
      assert.ok(reads < 5, `a change per read, not a timeout: ${JSON.stringify(statuses)}`);
      const next = await api('GET', `/api/jobs/${job.jobId}?wait=20&since=${view.version}`);
      assert.notEqual(next.body.version, view.version, 'woken by a change, not by the 20 s deadline');
      view = next.body;
      statuses.push(view.status);
    }
    assert.equal(view.result.meta.provider, 'anthropic');
    assert.equal(view.chain.at(-1).outcome, 'succeeded');
    assert.ok(view.closedAt);
  });

  it('a long-poll on a job that does not change answers at its deadline with the same version', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'hang' });
    await harness.start({ ANTHROPIC_TIMEOUT_SECONDS: '30' });
    const job = await startJob();
    await harness.emulator.provider('anthropic').waitForRequests(1, 20_000);
    const current = (await api('GET', `/api/jobs/${job.jobId}`)).body;
    const metricsUrl = harness.stack.serverMetricsUrl;
    const before = await settledRequestCounts(metricsUrl, historyWatchPolls);
    const asked = Date.now();
    const later = await api('GET', `/api/jobs/${job.jobId}?wait=2&since=${current.version}`);
    assert.ok(Date.now() - asked >= 1_500, 'held until the deadline');
    assert.equal(later.body.version, current.version);
    assert.equal(later.body.status, 'running');
    const { historyCalls, moved } = historyCallsBetween(before, await settledRequestCounts(metricsUrl, historyWatchPolls));
    assert.equal(historyCalls, 1, `the wait continued the previous read's follower: ${JSON.stringify(moved)}`);
    assert.equal((await api('DELETE', `/api/jobs/${job.jobId}`)).status, 202);
    let view = later.body;
    for (let reads = 0; view.status === 'running'; reads++) {
      assert.ok(reads < 3, `woken by the cancellation: ${JSON.stringify(view)}`);
      view = (await api('GET', `/api/jobs/${job.jobId}?wait=20&since=${view.version}`)).body;
    }
    assert.equal(view.status, 'cancelled');
  });

  it('a follower of a running job wakes on the provider answer, then waits on the close event alone: two history calls', async () => {
    // Late enough that the counters settle while the call is still out, well inside the provider's timeout.
    harness.emulator.provider('anthropic').setDefault({ kind: 'ok', delayMs: 8_000 });
    await harness.start({ ANTHROPIC_TIMEOUT_SECONDS: '20' });
    const job = await startJob();
    let view = (await api('GET', `/api/jobs/${job.jobId}?wait=20&since=${job.version}`)).body;
    assert.equal(view.status, 'running', JSON.stringify(view));
    const metricsUrl = harness.stack.serverMetricsUrl;
    const before = await settledRequestCounts(metricsUrl, historyWatchPolls);
    view = (await api('GET', `/api/jobs/${job.jobId}?wait=20&since=${view.version}`)).body;
    assert.equal(view.status, 'completed', JSON.stringify(view));
    const { historyCalls, moved } = historyCallsBetween(before, await settledRequestCounts(metricsUrl, historyWatchPolls));
    // Without the close-only wait, the next workflow task's start woke the follower too: 3.
    assert.equal(historyCalls, 2, `the answer's batch, then the close: ${JSON.stringify(moved)}`);
    assert.deepEqual(view, (await api('GET', `/api/jobs/${job.jobId}`)).body, 'the view a read of the whole history gives');
  });

  it('a finished job is read with one history fetch: no describe, no query task', async () => {
    await harness.start();
    const job = await startJob();
    const done = await waitFor(() => api('GET', `/api/jobs/${job.jobId}?wait=20`), (r) => r.body.status === 'completed');
    const metricsUrl = harness.stack.serverMetricsUrl;
    // The operation-mode watches of this process poll the mode workflow's history too: theirs are left out.
    const before = await settledRequestCounts(metricsUrl, historyWatchPolls);
    for (let i = 0; i < 3; i++) {
      const again = await api('GET', `/api/jobs/${job.jobId}`);
      assert.deepEqual(again.body, done.body);
    }
    const { historyCalls, moved } = historyCallsBetween(before, await settledRequestCounts(metricsUrl, historyWatchPolls));
    assert.equal(moved.QueryWorkflow ?? 0, 0, `no query: ${JSON.stringify(moved)}`);
    assert.equal(moved.DescribeWorkflowExecution ?? 0, 0, JSON.stringify(moved));
    assert.equal(historyCalls, 3, JSON.stringify(moved));
  });

  it('until=finished answers once the job has finished, with one history call however much it changed meanwhile', async () => {
    // The answer after the retry comes well inside the provider's timeout, and late enough that the second
    // read below (after a settled reading of the server's counters) still waits for it.
    harness.emulator.provider('anthropic').enqueue({ kind: 'status', status: 529, delayMs: 300 }).setDefault({ kind: 'ok', delayMs: 5_000 });
    await harness.start({ ANTHROPIC_TIMEOUT_SECONDS: '10' });
    const started = Date.now();
    const job = await startJob();
    const early = await api('GET', `/api/jobs/${job.jobId}?wait=1&until=finished`);
    assert.equal(early.status, 200);
    const stood = `answered ${Date.now() - started} ms after the start: ${JSON.stringify(early.body)}`;
    assert.equal(early.body.status, 'running', `answered at its deadline, as the job stood; ${stood}`);

    const metricsUrl = harness.stack.serverMetricsUrl;
    const before = await settledRequestCounts(metricsUrl, historyWatchPolls);
    const done = await api('GET', `/api/jobs/${job.jobId}?wait=20&until=finished`);
    assert.equal(done.body.status, 'completed');
    assert.equal(done.body.result.meta.provider, 'anthropic');
    assert.equal(done.body.chain.at(-1).attempts, 2, JSON.stringify(done.body.chain));
    const { historyCalls, moved } = historyCallsBetween(before, await settledRequestCounts(metricsUrl, historyWatchPolls));
    assert.equal(historyCalls, 1, `one long-poll on the close event, which carries the finished job: ${JSON.stringify(moved)}`);
    assert.deepEqual(done.body, (await api('GET', `/api/jobs/${job.jobId}`)).body, 'the view a read of the whole history gives');

    const invalid = await api('GET', `/api/jobs/${job.jobId}?wait=5&until=closed`);
    assert.equal(invalid.status, 400);
    assert.match(JSON.stringify(invalid.body), /until/);
  });

  it('POST /api/analyze?wait=N answers with the finished job when it finishes in time, else with the job as started', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'ok', delayMs: 300 });
    await harness.start();
    const waited = await api('POST', '/api/analyze?wait=20', { content: uniqueText() });
    assert.equal(waited.status, 200, JSON.stringify(waited.body));
    assert.equal(waited.body.status, 'completed');
    assert.equal(waited.body.result.meta.provider, 'anthropic');
    assert.equal(waited.body.chain.at(-1).outcome, 'succeeded');
    assert.match(waited.headers.get('location') ?? '', new RegExp(`/api/jobs/${waited.body.jobId}$`));
    const { tier: _tier, ...job } = waited.body;
    assert.deepEqual((await api('GET', `/api/jobs/${waited.body.jobId}`)).body, job, 'the same job a read gives');

    harness.emulator.provider('anthropic').setDefault({ kind: 'ok', delayMs: 3_000 });
    const asked = Date.now();
    const slow = await api('POST', '/api/analyze?wait=1', { content: uniqueText() });
    assert.equal(slow.status, 202);
    assert.ok(Date.now() - asked >= 900, 'held for the wait');
    assert.ok(['queued', 'running'].includes(slow.body.status), slow.body.status);

    const invalid = await api('POST', '/api/analyze?wait=31', { content: uniqueText() });
    assert.equal(invalid.status, 400);
    assert.match(JSON.stringify(invalid.body), /wait/);
  });

  it('streams server-sent events: the job, each attempt and stage, then the result, each with the version as id', async () => {
    harness.emulator.provider('anthropic').enqueue({ kind: 'status', status: 529, delayMs: 300 }).setDefault({ kind: 'ok', delayMs: 300 });
    await harness.start();
    const job = await startJob();
    const stream = await events(job.jobId);
    assert.equal(stream.status, 200);
    assert.match(stream.contentType ?? '', /^text\/event-stream/);
    const names = stream.events.map((event) => event.event);
    assert.equal(names.at(-1), 'completed', names.join(','));
    assert.ok(['snapshot', 'stage'].includes(names[0]!), names.join(','));
    const final = stream.events.at(-1)!;
    assert.equal(final.data.result.meta.provider, 'anthropic');
    assert.deepEqual(final.data.chain.at(-1).attemptErrors, ['Overloaded']);
    assert.ok(stream.events.some((event) => event.event === 'attempt' && event.data.provider === 'anthropic' && event.data.outcome === 'succeeded'), names.join(','));
    const read = (await api('GET', `/api/jobs/${job.jobId}`)).body;
    assert.equal(final.id, read.version, 'the last event id is the job version');
    // A closed job's stream is its final event, so a client that reconnects can stop.
    const replay = await events(job.jobId, { 'Last-Event-ID': final.id! });
    assert.deepEqual(replay.events.map((event) => event.event), ['completed']);
  });

  it('resumes after Last-Event-ID without repeating what the client saw, and ends with cancelled', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'hang' });
    await harness.start({ ANTHROPIC_TIMEOUT_SECONDS: '30' });
    const job = await startJob();
    await harness.emulator.provider('anthropic').waitForRequests(1, 20_000);
    const first = await events(job.jobId, undefined, () => true);
    assert.equal(first.events[0]!.event, 'snapshot');
    const resumed = events(job.jobId, { 'Last-Event-ID': first.events[0]!.id! });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal((await api('DELETE', `/api/jobs/${job.jobId}`)).status, 202);
    const rest = await resumed;
    assert.ok(!rest.events.some((event) => event.event === 'snapshot'), 'nothing the client had seen is sent again');
    assert.equal(rest.events.at(-1)!.event, 'cancelled');
  });

  it('a failed job ends its stream and its long-poll with the error', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'status', status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } }, delayMs: 500 });
    await harness.start({ LLM_PROVIDERS: 'anthropic' });
    const job = await startJob();
    const [stream, polled, finished] = await Promise.all([
      events(job.jobId),
      api('GET', `/api/jobs/${job.jobId}?wait=20&since=${job.version}`),
      api('GET', `/api/jobs/${job.jobId}?wait=20&until=finished`),
    ]);
    let view = polled.body;
    while (view.status !== 'failed') view = (await api('GET', `/api/jobs/${job.jobId}?wait=20&since=${view.version}`)).body;
    assert.equal(view.error.type, 'AllProvidersFailed');
    assert.deepEqual(finished.body, view, 'until=finished reads a failed job from its history');
    const final = stream.events.at(-1)!;
    assert.equal(final.event, 'failed');
    assert.equal(final.data.error.type, 'AllProvidersFailed');
  });

  it('answers an unknown job with 404 and a bad id with 400, as JSON', async () => {
    await harness.start();
    const unknown = await api('GET', `/api/jobs/analysis-${randomUUID()}/events`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'not_found');
    const bad = await api('GET', '/api/jobs/nope/events');
    assert.equal(bad.status, 400);
  });
});

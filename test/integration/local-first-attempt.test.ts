/**
 * `<PROVIDER>_LOCAL_FIRST_ATTEMPT=true`: a step's first attempt runs as a local activity inside the
 * job's workflow task, later attempts as activities; `auto`: only while the worker's recent calls were short. Real dev server, workers and SDKs against the emulator.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { decodeOptionalSinglePayload } from '@temporalio/common/lib/internal-non-workflow';
import { request, waitFor } from '../helpers/http';
import { analyzeToTheEnd, useProviderHarness } from '../helpers/provider-workers';
import { LOCAL_FIRST_ATTEMPT_PATCH } from '../../workflows/local-first-attempt';
import { JOB_PROGRESS_MEMO_KEY } from '../../shared/core/names';
import type { JobProgress } from '../../shared/core/job-types';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const uniqueText = () => `Acme Corporation opens a regional office in Coimbra (${randomUUID()}). Thirty engineers will be hired.`;
const LOCAL_FIRST = { ANTHROPIC_RATE_LIMIT: '0', ANTHROPIC_LOCAL_FIRST_ATTEMPT: 'true' };

const ofType = (events: HistoryEvent[], type: temporal.api.enums.v1.EventType) => events.filter((event) => event.eventType === type);
const markerData = (event: HistoryEvent, field: string) => {
  const payload = event.markerRecordedEventAttributes?.details?.[field]?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<Record<string, unknown>>(payload) : undefined;
};
const providerActivities = (events: HistoryEvent[]) =>
  ofType(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'callProvider');

describe('a provider step whose first attempt is a local activity (<PROVIDER>_LOCAL_FIRST_ATTEMPT)', function () {
  this.timeout(120_000);
  const harness = useProviderHarness();
  const historyOf = async (jobId: string) => (await harness.stack.client.workflow.getHandle(jobId).fetchHistory()).events ?? [];
  /** The memo payloads are encrypted: read with the stack's own converter. */
  const publishedProgress = (events: HistoryEvent[]) =>
    Promise.all(
      ofType(events, EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED).map(async (event) =>
        decodeOptionalSinglePayload<JobProgress>(harness.stack.client.options.loadedDataConverter, event.workflowPropertiesModifiedEventAttributes!.upsertedMemo!.fields![JOB_PROGRESS_MEMO_KEY]!),
      ),
    );

  it('answers in one workflow task with no activity task when the first call succeeds', async () => {
    const running = await harness.start(LOCAL_FIRST);
    const view = await analyzeToTheEnd(harness.stack, running, uniqueText());
    assert.equal(view.status, 'completed');
    assert.equal(view.result?.meta.provider, 'anthropic');
    assert.deepEqual(view.chain.map((step) => [step.provider, step.outcome, step.attempts]), [['anthropic', 'succeeded', 1]]);
    assert.ok(view.tokens.input > 0 && view.tokens.output > 0);
    assert.equal(harness.emulator.provider('anthropic').requests, 1);

    const events = await historyOf(view.jobId);
    assert.equal(ofType(events, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length, 1);
    assert.equal(ofType(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).length, 0);
    const markers = ofType(events, EventType.EVENT_TYPE_MARKER_RECORDED);
    assert.ok(markers.some((marker) => markerData(marker, 'patch-data')?.id === LOCAL_FIRST_ATTEMPT_PATCH));
    assert.ok(markers.some((marker) => markerData(marker, 'data')?.activity_type === 'callProvider'));
  });

  it('retries a retryable failure as an activity numbered after it, after its Retry-After, with the retry announced at once', async () => {
    harness.emulator.provider('anthropic').enqueue({ kind: 'status', status: 429, headers: { 'retry-after': '1' } });
    const running = await harness.start(LOCAL_FIRST);
    const view = await analyzeToTheEnd(harness.stack, running, uniqueText());
    assert.equal(view.result?.meta.provider, 'anthropic');
    assert.deepEqual(view.chain, [{ ...view.chain[0], provider: 'anthropic', outcome: 'succeeded', attempts: 2, attemptErrors: ['RateLimited'] }]);
    assert.equal(view.result?.meta.attempts, 2);
    const [first, second] = harness.emulator.provider('anthropic').requestLog;
    assert.ok(second!.at - first!.at >= 1000, `retried after ${second!.at - first!.at} ms`);

    const events = await historyOf(view.jobId);
    const [retries] = providerActivities(events);
    assert.equal(providerActivities(events).length, 1);
    assert.equal(retries!.activityTaskScheduledEventAttributes?.retryPolicy?.maximumAttempts, 2, 'the two attempts the local one left');
    assert.ok(
      (await publishedProgress(events)).some((progress) => progress?.currentAttempt?.attempt === 2 && progress.currentAttempt.lastFailure === 'RateLimited'),
      'the job showed attempt 2 before it ran',
    );
  });

  it("counts a failed local attempt's tokens and cost with the step's", async () => {
    // Invalid output twice (the repair too): the local attempt fails as InvalidOutput with tokens spent.
    harness.emulator.provider('anthropic').enqueue({ kind: 'malformed' }, { kind: 'malformed' }, { kind: 'ok', usage: { input: 300, output: 70 } });
    const running = await harness.start(LOCAL_FIRST);
    const view = await analyzeToTheEnd(harness.stack, running, uniqueText());
    const [step] = view.chain;
    assert.deepEqual([step?.outcome, step?.attempts, step?.attemptErrors], ['succeeded', 2, ['InvalidOutput']]);
    const spend = step?.attemptSpend ?? [];
    assert.deepEqual(spend.map((attempt) => [attempt.attempt, attempt.outcome]), [[1, 'InvalidOutput'], [2, 'success']]);
    assert.ok(spend[0]!.inputTokens > 0 && spend[0]!.costNanoUsd > 0, JSON.stringify(spend));
    assert.deepEqual([spend[1]!.inputTokens, spend[1]!.outputTokens], [300, 70]);
    assert.deepEqual([view.tokens.input, view.tokens.output], [spend[0]!.inputTokens + 300, spend[0]!.outputTokens + 70]);
  });

  it('falls back after the last attempt with every attempt in the chain, and at once after a final failure', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'status', status: 503 });
    let running = await harness.start(LOCAL_FIRST);
    let view = await analyzeToTheEnd(harness.stack, running, uniqueText());
    assert.equal(view.result?.meta.provider, 'openai');
    assert.deepEqual(view.chain.map((step) => [step.provider, step.outcome, step.attempts, step.attemptErrors]), [
      ['anthropic', 'failed', 3, ['ServerError', 'ServerError', 'ServerError']],
      ['openai', 'succeeded', 1, undefined],
    ]);
    assert.equal(harness.emulator.provider('anthropic').requests, 3);
    await running.stop();

    harness.emulator.reset();
    harness.emulator.provider('anthropic').setDefault({ kind: 'status', status: 401 });
    running = await harness.start(LOCAL_FIRST);
    view = await analyzeToTheEnd(harness.stack, running, uniqueText());
    assert.deepEqual(view.chain.map((step) => [step.provider, step.outcome, step.errorType, step.attempts]), [
      ['anthropic', 'failed', 'AuthFailed', 1],
      ['openai', 'succeeded', undefined, 1],
    ]);
    assert.equal(harness.emulator.provider('anthropic').requests, 1);
    // anthropic's only attempt was the local one; openai (rate-limited, so on its own queue) ran as an activity.
    assert.deepEqual(
      providerActivities(await historyOf(view.jobId)).map((event) => event.activityTaskScheduledEventAttributes?.taskQueue?.name),
      [`${running.config.temporal.taskQueue}-llm-openai`],
    );
  });

  it("with auto (the default): a new worker's first calls are activities, then the job is one workflow task until a call runs long", async () => {
    const provider = harness.emulator.provider('anthropic');
    const running = await harness.start({ ANTHROPIC_RATE_LIMIT: '0' });
    const wholeJob = async () => {
      const started = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content: uniqueText() } });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      return started.body.jobId as string;
    };
    const finished = async (jobId: string) => {
      const done = await waitFor(() => request(running.apiUrl, 'GET', `/api/jobs/${jobId}?wait=20&until=finished`), (r) => r.body.status === 'completed', 60_000);
      assert.deepEqual(done.body.chain.map((step: { provider: string; attempts: number }) => [step.provider, step.attempts]), [['anthropic', 1]]);
      return historyOf(jobId);
    };
    const localActivityTypes = (events: HistoryEvent[]) =>
      ofType(events, EventType.EVENT_TYPE_MARKER_RECORDED).map((marker) => markerData(marker, 'data')?.activity_type).filter((type) => type !== undefined);
    const ranAsActivity = (events: HistoryEvent[]) => {
      assert.deepEqual(localActivityTypes(events), ['callProviderIfFast'], 'asked, and did not call');
      assert.equal(providerActivities(events)[0]?.activityTaskScheduledEventAttributes?.retryPolicy?.maximumAttempts, 3, 'the activity makes every attempt');
      assert.equal(ofType(events, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length, 2);
    };

    for (let job = 1; job <= 5; job++) ranAsActivity(await finished(await wholeJob()));
    assert.equal(provider.requests, 5);
    const fast = await finished(await wholeJob());
    assert.deepEqual(localActivityTypes(fast), ['callProviderIfFast']);
    assert.equal(ofType(fast, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).length, 0);
    assert.equal(ofType(fast, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length, 1);
    assert.equal(provider.requests, 6);

    // The next call takes 2.5 s (ANTHROPIC_LOCAL_FIRST_MAX_CALL_SECONDS is 1 by default): it started
    // inside its job's task, and once it has run past a second, a job started then takes an activity.
    provider.enqueue({ kind: 'ok', delayMs: 2_500 });
    const slowJob = await wholeJob();
    await provider.waitForRequests(7, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    const whileSlow = await wholeJob();
    ranAsActivity(await finished(whileSlow));
    assert.equal(ofType(await finished(slowJob), EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).length, 0, 'the slow call was a local attempt');
    // Finished, the slow call keeps later first attempts out of the task until it is no longer among the last 20.
    ranAsActivity(await finished(await wholeJob()));
  });

  it('reads running while its local attempt hangs, and is cancelled: the request is aborted and the job ends cancelled', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'hang' });
    const running = await harness.start({ ...LOCAL_FIRST, LLM_PROVIDERS: 'anthropic,local', ANTHROPIC_TIMEOUT_SECONDS: '30' });
    const started = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content: uniqueText() } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const jobId = started.body.jobId as string;
    await harness.emulator.provider('anthropic').waitForRequests(1, 20_000);
    // Nothing is published while the attempt runs: the worker's taking of the task says it runs.
    const during = await request(running.apiUrl, 'GET', `/api/jobs/${jobId}`);
    assert.deepEqual([during.body.status, during.body.stage, during.body.provider], ['running', 'analyzing', 'anthropic']);
    const cancel = await request(running.apiUrl, 'DELETE', `/api/jobs/${jobId}`);
    assert.equal(cancel.status, 202, JSON.stringify(cancel.body));
    const view = (await waitFor(() => request(running.apiUrl, 'GET', `/api/jobs/${jobId}`), (response) => ['cancelled', 'completed', 'failed'].includes(response.body.status), 30_000)).body;
    assert.equal(view.status, 'cancelled');
    assert.deepEqual(view.chain.map((step: { provider: string; outcome: string }) => [step.provider, step.outcome]), [['anthropic', 'cancelled']]);
    assert.equal(harness.emulator.provider('anthropic').requests, 1);
  });
});

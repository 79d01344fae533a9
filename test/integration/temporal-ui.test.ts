/**
 * What the Temporal UI shows: health checks as one long-lived run (not a run every interval), and a
 * job's details saying what ran rather than what was asked.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { ensureHealthLoop, stopHealthChecks } from '../../shared/adapters/deployment-bootstrap';
import { loadConfig } from '../../shared/config';
import { HEALTH_CHECK_WORKFLOW_TYPE, HEALTH_LOOP_WORKFLOW_TYPE, healthCheckScheduleId, healthLoopWorkflowId } from '../../shared/core/operation-mode/messages';
import { request, waitFor } from '../helpers/http';
import { getTestStack, type RunningWorkers, type TestStack } from '../helpers/stack';

describe('Temporal UI: analyses easy to find, details that say what ran', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let workers: RunningWorkers;
  const taskQueue = `ui-${randomUUID()}`;

  before(async function () {
    this.timeout(300_000);
    stack = await getTestStack();
    workers = await stack.startWorkers({ TEMPORAL_TASK_QUEUE: taskQueue, LLM_PROVIDERS: 'local' });
  });
  after(async () => {
    await stopHealthChecks(stack.client, taskQueue);
    await workers?.stop();
  });

  const runsOf = async (query: string) => {
    const runs = [];
    for await (const run of stack.client.workflow.list({ query })) runs.push(run);
    return runs;
  };

  it('health checks are one run that loops, continues as new with a bounded history, takes a new interval, and retires the old Schedule', async () => {
    // The Schedule an earlier release created: the loop replaces it.
    await stack.client.schedule.create({
      scheduleId: healthCheckScheduleId(taskQueue),
      spec: { intervals: [{ every: '1 hour' }] },
      action: { type: 'startWorkflow', workflowType: HEALTH_CHECK_WORKFLOW_TYPE, taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    const config = loadConfig({ ...stack.env, TEMPORAL_TASK_QUEUE: taskQueue, HEALTH_CHECK_INTERVAL_SECONDS: '0.2' });
    await ensureHealthLoop(stack.client, config);
    await ensureHealthLoop(stack.client, config);
    await assert.rejects(stack.client.schedule.getHandle(healthCheckScheduleId(taskQueue)).describe(), /not found/i);

    const handle = stack.client.workflow.getHandle(healthLoopWorkflowId(taskQueue));
    const firstRunId = (await handle.describe()).runId;
    // 360 checks per run at 0.2 s: let it make a few, then check that one run holds them all.
    await waitFor(async () => (await handle.fetchHistory()).events?.filter((event) => event.activityTaskCompletedEventAttributes).length ?? 0, (n) => n >= 3, 30_000);
    const running = await waitFor(() => runsOf(`WorkflowId = '${healthLoopWorkflowId(taskQueue)}'`), (runs) => runs.length >= 1, 10_000);
    assert.deepEqual(running.map((run) => [run.type, run.status.name]), [[HEALTH_LOOP_WORKFLOW_TYPE, 'RUNNING']], 'ensured twice, still one run');
    assert.equal((await handle.describe()).runId, firstRunId);

    // A new interval reaches the running loop.
    await ensureHealthLoop(stack.client, loadConfig({ ...stack.env, TEMPORAL_TASK_QUEUE: taskQueue, HEALTH_CHECK_INTERVAL_SECONDS: '3600' }));
    const signalled = (await handle.fetchHistory()).events!.filter((event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'setHealthCheckInterval');
    assert.equal(signalled.length, 3);

    // A run with a small bound continues as new instead of growing.
    const bounded = await stack.client.workflow.start(HEALTH_LOOP_WORKFLOW_TYPE, {
      workflowId: `bounded-loop-${randomUUID()}`,
      taskQueue,
      args: [{ intervalMs: 100, checksPerRun: 2 }],
    });
    const firstBounded = stack.client.workflow.getHandle(bounded.workflowId, bounded.firstExecutionRunId, { followRuns: false });
    await waitFor(async () => (await firstBounded.describe()).status.name, (status) => status === 'CONTINUED_AS_NEW', 30_000);
    const events = (await firstBounded.fetchHistory()).events!;
    assert.equal(events.filter((event) => event.activityTaskCompletedEventAttributes).length, 2);
    assert.ok(events.length < 40, `${events.length} events for 2 checks`);
    await bounded.terminate('test done');
  });

  it('a job answered by local: its current details say local answered, its summary does not claim a tier ran', async () => {
    const started = await request(workers.apiUrl, 'POST', '/api/analyze', { json: { content: `Acme Corp opened an office in Berlin (${randomUUID()}). Customers love it.` } });
    await waitFor(() => request(workers.apiUrl, 'GET', `/api/jobs/${started.body.jobId}`), (response) => response.body.status === 'completed');
    const handle = stack.client.workflow.getHandle(started.body.jobId);
    const metadata = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
    assert.match(metadata.currentDetails ?? '', /^\*\*Answered by\*\* local \(extractive analyzer\)/);
    const description = await handle.describe();
    const summary = await description.staticSummary();
    assert.match(summary ?? '', /advanced tier asked/);
    assert.doesNotMatch(summary ?? '', /\(full, advanced tier\)/);
  });
});

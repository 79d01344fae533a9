import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createHealthActivities } from '../../activities/health';
import { AnalysisCache } from '../../shared/adapters/analysis-cache';
import { createBudgetStore } from '../../shared/adapters/budget-store';
import { ensureHealthLoop } from '../../shared/adapters/deployment-bootstrap';
import { createGateStore } from '../../shared/adapters/gate-store';
import { loadConfig } from '../../shared/config';
import { healthLoopWorkflowId, OPERATION_MODE_WORKFLOW_TYPE, operationModeWorkflowId } from '../../shared/core/operation-mode/messages';
import { waitFor } from '../helpers/http';
import { getTestStack, type TestStack } from '../helpers/stack';

/**
 * A health report is an update to the operation-mode workflow, which only a polling workflow worker
 * can take. Here the mode workflow of the task queue runs on a queue nobody polls: the state of a
 * deployment whose only worker is stopping. The report must give up instead of holding the shutdown.
 */
describe('a health report nobody takes', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let taskQueue: string;

  before(async function () {
    this.timeout(180_000);
    stack = await getTestStack();
  });

  beforeEach(async () => {
    taskQueue = `health-stuck-${randomUUID()}`;
    await stack.client.workflow.start(OPERATION_MODE_WORKFLOW_TYPE, { workflowId: operationModeWorkflowId(taskQueue), taskQueue: `${taskQueue}-unpolled`, args: [{}] });
  });

  afterEach(async () => {
    for (const workflowId of [operationModeWorkflowId(taskQueue), healthLoopWorkflowId(taskQueue)]) {
      await stack.client.workflow.getHandle(workflowId).terminate('test finished').catch(() => undefined);
    }
  });

  it('lets the workers stop at once: the check in flight fails instead of waiting for the update', async () => {
    const workers = await stack.startWorkers({ TEMPORAL_TASK_QUEUE: taskQueue });
    await ensureHealthLoop(stack.client, workers.config);
    const loop = stack.client.workflow.getHandle(healthLoopWorkflowId(taskQueue));
    await waitFor(
      async () => (await loop.describe()).raw.pendingActivities ?? [],
      (pending) => pending.some((activity) => activity.activityType?.name === 'checkHealthAndReport' && activity.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED),
    );
    // The update is sent once the probes (each under 2 s) are done.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    // Without the give-up this never settles: the update has no deadline and the SDK cannot cancel it.
    const stopped = await Promise.race([workers.stop().then(() => 'stopped'), new Promise((resolve) => setTimeout(resolve, 25_000, 'still draining'))]);
    assert.equal(stopped, 'stopped');
    const events = (await loop.fetchHistory()).events ?? [];
    assert.ok(events.some((event) => event.activityTaskFailedEventAttributes), 'the check ends as a failed activity');
    assert.ok(!events.some((event) => event.activityTaskTimedOutEventAttributes), 'not by its 30 s timeout');
  });

  describe('run as an activity on its own', () => {
    const activityUnder = async (info: { startToCloseTimeoutMs: number }, stopping?: AbortSignal) => {
      const config = loadConfig({ ...stack.env, TEMPORAL_TASK_QUEUE: taskQueue });
      const cache = AnalysisCache.fromConfig(config, () => {});
      const gates = createGateStore({});
      const budgets = createBudgetStore({ redisUrl: undefined, taskQueue });
      const { checkHealthAndReport } = createHealthActivities({ config, documents: stack.documents, cache, gates, budgets, abortableClient: stack.client, stopping });
      const environment = new MockActivityEnvironment(info, { client: stack.client, logger: new DefaultLogger('ERROR') });
      const close = async () => {
        await cache.close();
        await gates.close();
        await budgets.close();
      };
      return { environment, run: () => environment.run(checkHealthAndReport).finally(close) };
    };

    it('gives up at its start-to-close timeout', async () => {
      const { run } = await activityUnder({ startToCloseTimeoutMs: 3_000 });
      await assert.rejects(run(), (error: Error) => error.name === 'TimeoutError' && /3000 ms/.test(error.message));
    });

    it('gives up when cancelled', async () => {
      const { environment, run } = await activityUnder({ startToCloseTimeoutMs: 60_000 });
      const outcome = run();
      setTimeout(() => environment.cancel('CANCELLED'), 3_000);
      await assert.rejects(outcome);
    });
  });
});

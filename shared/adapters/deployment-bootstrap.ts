/**
 * What must exist in Temporal for a deployment to work: the operation-mode singleton and the
 * health-check loop. Idempotent, so every worker (and the API) can run it at start.
 */
import { ScheduleNotFoundError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import {
  HEALTH_LOOP_WORKFLOW_TYPE,
  healthCheckScheduleId,
  healthLoopWorkflowId,
  setHealthCheckIntervalSignal,
  type HealthLoopInput,
} from '../core/operation-mode/messages';
import { OperationModeClient } from './operation-mode-client';

/** Starts the loop unless it runs (then hands it the configured interval); removes an earlier release's Schedule. */
export async function ensureHealthLoop(client: Client, config: AppConfig): Promise<void> {
  const input: HealthLoopInput = { intervalMs: config.health.intervalMs };
  const handle = await client.workflow.start<(input: HealthLoopInput) => Promise<never>>(HEALTH_LOOP_WORKFLOW_TYPE, {
    workflowId: healthLoopWorkflowId(config.temporal.taskQueue),
    taskQueue: config.temporal.taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `Health checks every ${config.health.intervalMs / 1000} s: probes the dependencies and reports to the operation mode`,
  });
  // The interval may have been changed in the configuration since the loop was started.
  await handle.signal(setHealthCheckIntervalSignal, config.health.intervalMs);
  await client.schedule
    .getHandle(healthCheckScheduleId(config.temporal.taskQueue))
    .delete()
    .catch((error: unknown) => {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    });
}

/** For tests and teardown: ends the loop of a task queue (and an earlier release's Schedule). */
export async function stopHealthChecks(client: Client, taskQueue: string): Promise<void> {
  await client.workflow
    .getHandle(healthLoopWorkflowId(taskQueue))
    .terminate('health checks stopped')
    .catch((error: unknown) => {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    });
  await client.schedule.getHandle(healthCheckScheduleId(taskQueue)).delete().catch(() => {});
}

export async function ensureDeployment(client: Client, config: AppConfig, options: { healthSchedule: boolean }): Promise<void> {
  await new OperationModeClient(client, config).ensureRunning();
  if (options.healthSchedule) await ensureHealthLoop(client, config);
}

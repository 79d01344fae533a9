/**
 * What must exist in Temporal for a deployment to work: the operation-mode singleton and the
 * health-check Schedule. Idempotent, so every worker (and the API) can run it at start.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import { HEALTH_CHECK_WORKFLOW_TYPE, healthCheckScheduleId } from '../core/operation-mode/messages';
import { OperationModeClient } from './operation-mode-client';

export async function ensureHealthSchedule(client: Client, config: AppConfig): Promise<void> {
  const scheduleId = healthCheckScheduleId(config.temporal.taskQueue);
  const spec = { intervals: [{ every: config.health.intervalMs }] };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action: { type: 'startWorkflow', workflowType: HEALTH_CHECK_WORKFLOW_TYPE, taskQueue: config.temporal.taskQueue, args: [] },
      // A check that is still running when the next is due is not doubled up, and missed ones are not replayed.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
      memo: { purpose: 'probes dependencies and drives the operation mode' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    // The interval may have been changed in the configuration since the schedule was created.
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec }));
  }
}

export async function ensureDeployment(client: Client, config: AppConfig, options: { healthSchedule: boolean }): Promise<void> {
  await new OperationModeClient(client, config).ensureRunning();
  if (options.healthSchedule) await ensureHealthSchedule(client, config);
}

/**
 * One long-lived run that probes the dependencies every interval and hands the result to the
 * operation mode: a single entry in the Temporal UI instead of a new run every 30 s (2,880 a day).
 * It continues as new after CHECKS_PER_RUN checks, so its history stays bounded.
 */
import { condition, continueAsNew, proxyActivities, setHandler, setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { HEALTH_LOOP_CHECKS_PER_RUN, setHealthCheckIntervalSignal, type HealthLoopInput } from '../shared/core/operation-mode/messages';

// One attempt: the next check is the retry, and a stale report is worth less than a fresh one.
const { checkHealthAndReport } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 1 } });

// Like the operation-mode entity it never ends, so with worker versioning it moves to each new build.
setWorkflowOptions(() => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'AUTO_UPGRADE' } : {}), healthLoopWorkflow);

export async function healthLoopWorkflow(input: HealthLoopInput): Promise<never> {
  let intervalMs = input.intervalMs;
  let intervalChanged = false;
  setHandler(setHealthCheckIntervalSignal, (next) => {
    if (Number.isFinite(next) && next > 0 && next !== intervalMs) [intervalMs, intervalChanged] = [next, true];
  });
  const checksPerRun = input.checksPerRun ?? HEALTH_LOOP_CHECKS_PER_RUN;
  for (let check = 0; check < checksPerRun && !workflowInfo().continueAsNewSuggested; check++) {
    // A failed check is already a signal (the mode workflow hears nothing); the loop must go on.
    await checkHealthAndReport().catch(() => undefined);
    intervalChanged = false;
    await condition(() => intervalChanged, intervalMs);
  }
  return continueAsNew<typeof healthLoopWorkflow>({ ...input, intervalMs });
}

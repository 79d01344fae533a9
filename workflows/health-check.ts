/** Run by the health-check Schedule every HEALTH_CHECK_INTERVAL_SECONDS; each run is visible in the UI. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { HealthCheckOutcome } from '../activities/health';

// One attempt: the next scheduled run is the retry, and a stale report is worth less than a fresh one.
const { checkHealthAndReport } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 1 } });

export async function healthCheckWorkflow(): Promise<HealthCheckOutcome> {
  return checkHealthAndReport();
}

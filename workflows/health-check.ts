/** Run by the health-check Schedule of earlier releases; kept so their runs finish and replay (see health-loop.ts). */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { HealthCheckOutcome } from '../activities/health';

// One attempt: the next scheduled run is the retry, and a stale report is worth less than a fresh one.
const { checkHealthAndReport } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 1 } });

export async function healthCheckWorkflow(): Promise<HealthCheckOutcome> {
  return checkHealthAndReport();
}

/** The bare Temporal floor: one workflow, one activity making the same SDK call the project's job makes. */
import { proxyActivities } from '@temporalio/workflow';
import type { FloorActivities } from './activities';

const { callAnthropic } = proxyActivities<FloorActivities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 3 } });

export async function floorWorkflow(prompt: string): Promise<string> {
  return callAnthropic(prompt);
}

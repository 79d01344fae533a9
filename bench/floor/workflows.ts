/** The bare Temporal floor: one workflow, one activity making the same SDK call the project's job makes. */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { FloorActivities } from './activities';

const options = { startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 3 } } as const;
const { callAnthropic } = proxyActivities<FloorActivities>(options);
const local = proxyLocalActivities<FloorActivities>(options);

export async function floorWorkflow(prompt: string): Promise<string> {
  return callAnthropic(prompt);
}

/** The same call as a local activity: one workflow task, no activity task (what that shape would cost). */
export async function floorLocalActivityWorkflow(prompt: string): Promise<string> {
  return local.callAnthropic(prompt);
}

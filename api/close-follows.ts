/**
 * When nothing but a job's close can change what a reader sees, a follower may wait on the close event
 * alone: the server's long-poll then skips the batches in between (the next workflow task's start), which
 * change nothing a client sees. A synchronous job that publishes its progress ends in the workflow task
 * after a step's answer (a provider's or the local analyzer's): that task records the step and closes the
 * run (completed, or cancelled when a cancel came meanwhile), so its memo upsert and its close are one
 * batch.
 */
import type { Activities } from '../activities';
import { WORKFLOW_TYPES } from '../shared/core/names';

/** The activities that answer a fallback step: a remote provider's call, and the local analyzer. */
export const STEP_ANSWER_ACTIVITIES: ReadonlySet<string> = new Set<keyof Activities>(['callProvider', 'analyzeWithLocalAnalyzer']);

export interface RunSoFar {
  workflowType?: string;
  /** The run has upserted its progress memo: it is event-driven, and returns its finished job. */
  publishesProgress: boolean;
}

/** Whether, once an activity of `completedActivityType` has completed in this run, its close is all that can follow. */
export function onlyTheCloseFollows(run: RunSoFar, completedActivityType: string | undefined): boolean {
  return run.workflowType === WORKFLOW_TYPES.analyzeDocument && run.publishesProgress && STEP_ANSWER_ACTIVITIES.has(completedActivityType ?? '');
}

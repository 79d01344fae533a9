/**
 * A provider step whose first attempt runs as a local activity, inside the job's workflow task
 * (`<PROVIDER>_LOCAL_FIRST_ATTEMPT`): a job whose first call succeeds takes one workflow task and no
 * activity task. A retryable failure is retried as an ordinary activity, numbered after the local
 * attempt and carrying its error and spend, after the delay the attempt asked for. With `auto` the
 * local activity calls only while the worker's recent calls were short; else the activity makes
 * every attempt, as it does without this setting.
 */
import { ActivityCancellationType, patched, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ProviderCallRequest } from '../activities/provider-call';
import type { AnalysisResult } from '../shared/core/analysis-result';
import type { ProviderStep } from '../shared/core/providers/plan';
import { isDeferredAttempt, type FirstAttemptDeferred } from '../shared/core/providers/first-attempt-fit';
import { retryAfterLocalAttempt, type EarlierAttempts } from '../shared/core/resilience/local-first-attempt';

/**
 * A worker of a release before this one runs such a step as an ordinary activity (it does not read the
 * plan's flag); the marker tells a replaying worker which of the two the run took.
 */
export const LOCAL_FIRST_ATTEMPT_PATCH = 'local-first-attempt';

export const usesLocalFirstAttempt = (step: ProviderStep): boolean => step.firstAttemptLocal !== undefined && patched(LOCAL_FIRST_ATTEMPT_PATCH);

/** The step's activity, with all its attempts or with the first one made already (numbered from 2). */
export interface ProviderStepActivity {
  allAttempts: (request: ProviderCallRequest) => Promise<AnalysisResult>;
  afterFirst: (request: ProviderCallRequest & { earlier: EarlierAttempts }) => Promise<AnalysisResult>;
}

export async function callProviderLocalFirst(
  step: ProviderStep,
  request: ProviderCallRequest,
  summary: string,
  activity: ProviderStepActivity,
  announceRetry: (lastFailure: string) => void,
): Promise<AnalysisResult> {
  const { callProvider, callProviderIfFast } = proxyLocalActivities<Activities>({
    summary: `${summary} · attempt 1 in the workflow task`,
    startToCloseTimeout: step.startToCloseTimeoutMs,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { maximumAttempts: 1 },
  });
  let outcome: AnalysisResult | FirstAttemptDeferred;
  try {
    outcome = step.firstAttemptLocal === 'when-fast' ? await callProviderIfFast(request) : await callProvider(request);
  } catch (error) {
    const next = retryAfterLocalAttempt(error, step.retry);
    if (!next) throw error;
    announceRetry(next.errorType);
    if (next.delayMs > 0) await sleep(next.delayMs);
    return activity.afterFirst({ ...request, earlier: next.earlier });
  }
  return isDeferredAttempt(outcome) ? activity.allAttempts(request) : outcome;
}

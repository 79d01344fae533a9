/**
 * What follows a provider step's first attempt when it ran as a local activity and failed: the
 * workflow retries it itself, as the activity's own retry policy would have.
 */
import { ApplicationFailure, CancelledFailure, TimeoutFailure } from '@temporalio/common';
import { earlierAttemptSpend, type AttemptSpend } from '../spend/attempt-spend';
import { earlierAttemptErrors, INTERRUPTED_ATTEMPT } from './interrupted-attempts';

/** Attempts of a step made before its activity: the activity's attempts are numbered after them and carry their errors and spend. */
export interface EarlierAttempts {
  attempts: number;
  attemptErrors: string[];
  attemptSpend: AttemptSpend[];
}

export interface RetryAfterLocalAttempt {
  errorType: string;
  delayMs: number;
  earlier: EarlierAttempts;
}

function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let current = error; current instanceof Error && chain.length < 10; current = current.cause) chain.push(current);
  return chain;
}

/**
 * undefined when the step ends here: a cancellation, a failure the attempt marked final, or a step
 * of one attempt. A failure that is no ApplicationFailure (the local activity's own timeout, a lost
 * worker) is retried, as Temporal retries an activity's. The delay is the one the attempt computed
 * (jittered backoff, Retry-After), else the policy's first interval.
 */
export function retryAfterLocalAttempt(error: unknown, retry: { maximumAttempts: number; initialIntervalMs: number }): RetryAfterLocalAttempt | undefined {
  const chain = causes(error);
  if (retry.maximumAttempts <= 1 || chain.some((cause) => cause instanceof CancelledFailure)) return undefined;
  const failure = chain.find((cause): cause is ApplicationFailure => cause instanceof ApplicationFailure);
  if (failure?.nonRetryable) return undefined;
  const errorType = failure?.type ?? (chain.some((cause) => cause instanceof TimeoutFailure) ? 'Timeout' : INTERRUPTED_ATTEMPT);
  const details = failure?.details?.[0];
  const recordedErrors = earlierAttemptErrors(details);
  const nextRetryDelayMs = (details as { nextRetryDelayMs?: unknown } | undefined)?.nextRetryDelayMs;
  return {
    errorType,
    delayMs: typeof nextRetryDelayMs === 'number' && nextRetryDelayMs >= 0 ? nextRetryDelayMs : retry.initialIntervalMs,
    earlier: { attempts: 1, attemptErrors: recordedErrors.length > 0 ? recordedErrors : [errorType], attemptSpend: earlierAttemptSpend(details) },
  };
}

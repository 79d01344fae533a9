/**
 * Whether a provider step's first attempt should run inside the job's workflow task
 * (`<PROVIDER>_LOCAL_FIRST_ATTEMPT=auto`). Inside the task a job costs one workflow task and no
 * activity task, but until the call ends nothing the workflow publishes leaves the task and a cancel
 * waits for the call. So the attempt goes there only while this worker's recent calls to the provider
 * were short: the trade then lasts no longer than a short call.
 */

export interface RecentCalls {
  /** Calls this worker finished, oldest first: when each ended and how long it took. */
  finished: ReadonlyArray<{ endedAtMs: number; durationMs: number }>;
  /** When each call still in flight on this worker was sent. */
  inFlightSinceMs: readonly number[];
}

export interface FirstAttemptFitPolicy {
  /** Every call considered must have taken at most this long. */
  maxCallMs: number;
  /** Fewer finished calls than this say nothing yet: a new worker starts with activities. */
  minSamples: number;
  /** Calls that ended longer ago than this are forgotten: a provider's speed changes. */
  maxSampleAgeMs: number;
}

export const FIRST_ATTEMPT_FIT_SAMPLES = 20;
export const FIRST_ATTEMPT_FIT_MIN_SAMPLES = 5;
export const FIRST_ATTEMPT_FIT_MAX_SAMPLE_AGE_MS = 5 * 60_000;

/** What `callProviderIfFast` answers instead of calling: the workflow runs the attempt as an activity. */
export interface FirstAttemptDeferred {
  deferredBecause: string;
}

export const isDeferredAttempt = (outcome: object): outcome is FirstAttemptDeferred => 'deferredBecause' in outcome;

export type FirstAttemptFit = { fits: true } | { fits: false; why: string };

export function firstAttemptFitsInWorkflowTask(calls: RecentCalls, nowMs: number, policy: FirstAttemptFitPolicy): FirstAttemptFit {
  const slowInFlight = calls.inFlightSinceMs.filter((sentAtMs) => nowMs - sentAtMs > policy.maxCallMs).length;
  if (slowInFlight > 0) return { fits: false, why: `${slowInFlight} call(s) in flight for over ${policy.maxCallMs} ms` };
  const recent = calls.finished.filter((call) => nowMs - call.endedAtMs <= policy.maxSampleAgeMs);
  if (recent.length < policy.minSamples) return { fits: false, why: `${recent.length} recent call(s), fewer than ${policy.minSamples}` };
  const slowest = Math.max(...recent.map((call) => call.durationMs));
  if (slowest > policy.maxCallMs) return { fits: false, why: `a recent call took ${Math.round(slowest)} ms, over ${policy.maxCallMs} ms` };
  return { fits: true };
}

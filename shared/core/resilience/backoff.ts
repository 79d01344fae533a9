/**
 * Retry delays with jitter. Temporal's RetryPolicy has no jitter, so LLM activities throw an
 * ApplicationFailure whose `nextRetryDelay` is computed here: many workers failing together then
 * spread their retries instead of hitting the provider in lockstep.
 */

export type Random = () => number;

export interface BackoffPolicy {
  /** Delay before the first retry. */
  initialIntervalMs: number;
  /** Multiplier per further attempt (the design's `backoff_factor`, 1.5). */
  backoffFactor: number;
  /** Upper bound for the exponential delay; never applied to a provider's Retry-After. */
  maxIntervalMs: number;
}

export interface NextRetryDelayInput extends BackoffPolicy {
  /** The attempt that just failed, 1-based (Temporal's `Context.current().info.attempt`). */
  attempt: number;
  /** What the provider asked for (Retry-After), already parsed and capped by the classifier. */
  retryAfterMs?: number;
  /** Fraction of spread, e.g. 0.2 for ±20 % (the design's `jitter`). */
  jitter: number;
  random?: Random;
}

/** Spreads `delayMs` uniformly over ±`jitter` of itself: random 0 → −jitter, 1 → +jitter. Never negative. */
export function withJitter(delayMs: number, jitter: number, random: Random = Math.random): number {
  const spread = Math.max(0, jitter) * (2 * random() - 1);
  return Math.max(0, Math.round(delayMs * (1 + spread)));
}

/** Jitter that only adds: used for Retry-After, which must never be undercut. */
export function withUpwardJitter(delayMs: number, jitter: number, random: Random = Math.random): number {
  return Math.max(0, Math.ceil(delayMs * (1 + Math.max(0, jitter) * random())));
}

/** Exponential delay without jitter: attempt 1 → initial, then × factor per attempt, capped at max. */
export function backoffDelayMs({ attempt, initialIntervalMs, backoffFactor, maxIntervalMs }: BackoffPolicy & { attempt: number }): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  return Math.min(maxIntervalMs, initialIntervalMs * backoffFactor ** exponent);
}

/**
 * The delay before retrying after `attempt` failed. The exponential delay is jittered ±jitter and stays
 * within maxIntervalMs; a Retry-After is a floor that is only ever jittered upward, so we never come back
 * sooner than the provider asked, and waiting clients still do not return in the same millisecond.
 */
export function nextRetryDelayMs(input: NextRetryDelayInput): number {
  const random = input.random ?? Math.random;
  const exponential = Math.min(input.maxIntervalMs, withJitter(backoffDelayMs(input), input.jitter, random));
  if (input.retryAfterMs === undefined) return exponential;
  return Math.max(exponential, withUpwardJitter(input.retryAfterMs, input.jitter, random));
}

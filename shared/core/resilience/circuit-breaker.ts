/**
 * Per-provider circuit breaker as a pure state machine over a plain JSON value (stored in Redis, shared
 * by all workers). Policy: `threshold` consecutive health failures open it; after `recoveryTimeMs`
 * exactly one probe is admitted (half-open); the probe's success closes it, its failure re-opens it
 * with a fresh `openedAt`. A probe older than `probeTimeoutMs` is presumed lost (crashed worker) and
 * replaced. Only failures that say something about the provider's health count (see countsAgainstBreaker);
 * any success closes the breaker, whenever it was admitted.
 */
import type { ProviderFailureType } from './classify-provider-error';

export type BreakerState = {
  state: 'closed' | 'open' | 'half-open';
  consecutiveFailures: number;
  openedAt?: number;
  probeStartedAt?: number;
};

export interface AdmissionOptions {
  recoveryTimeMs: number;
  /** Longer than the request timeout, or a slow but live probe gets a twin. */
  probeTimeoutMs: number;
}

export interface Admission {
  admit: boolean;
  next: BreakerState;
  reason?: string;
  /** When rejected: how long until a request could be admitted (an upper bound while a probe runs). */
  retryInMs?: number;
}

/**
 * Failure types that count against the breaker: the provider is unhealthy or unusable for everyone.
 * AuthFailed counts: a revoked key or a billing block fails every request, so failing over to the next
 * provider beats hammering this one, and the half-open probe notices when it is fixed.
 * RateLimited does not: the rate limiter and Retry-After handle it, and the provider is healthy.
 * Per-request problems (InvalidRequest, ContextTooLong, InvalidOutput), our own Cancelled, and
 * CircuitOpen (the breaker's own rejection) say nothing about the provider's health.
 */
const COUNTS_AGAINST_BREAKER: Readonly<Record<ProviderFailureType, boolean>> = {
  Overloaded: true,
  ServerError: true,
  Timeout: true,
  ConnectionError: true,
  Unknown: true,
  AuthFailed: true,
  RateLimited: false,
  InvalidRequest: false,
  ContextTooLong: false,
  InvalidOutput: false,
  Cancelled: false,
  CircuitOpen: false,
  BudgetExceeded: false,
};

export function countsAgainstBreaker(type: ProviderFailureType): boolean {
  return COUNTS_AGAINST_BREAKER[type];
}

export function initialBreakerState(): BreakerState {
  return { state: 'closed', consecutiveFailures: 0 };
}

export function decideAdmission(state: BreakerState, now: number, options: AdmissionOptions): Admission {
  if (state.state === 'closed') return { admit: true, next: state };
  if (state.state === 'open') {
    // Clocks of different workers may disagree: never report more than a full recovery time.
    const elapsed = state.openedAt === undefined ? Infinity : Math.max(0, now - state.openedAt);
    if (elapsed < options.recoveryTimeMs) {
      return { admit: false, next: state, reason: 'circuit open', retryInMs: options.recoveryTimeMs - elapsed };
    }
    return { admit: true, next: { ...state, state: 'half-open', probeStartedAt: now } };
  }
  const probeAge = state.probeStartedAt === undefined ? Infinity : Math.max(0, now - state.probeStartedAt);
  if (probeAge < options.probeTimeoutMs) {
    return { admit: false, next: state, reason: 'probe in flight', retryInMs: options.probeTimeoutMs - probeAge };
  }
  return { admit: true, next: { ...state, probeStartedAt: now } };
}

export function recordSuccess(_state: BreakerState, _now: number): BreakerState {
  return initialBreakerState();
}

/** Call only for failures where countsAgainstBreaker(type) holds; recordOutcome does the filtering. */
export function recordFailure(state: BreakerState, now: number, options: { threshold: number }): BreakerState {
  const consecutiveFailures = state.consecutiveFailures + 1;
  if (state.state === 'half-open') return { state: 'open', consecutiveFailures, openedAt: now };
  // A late failure of a request admitted before the breaker opened does not extend the open period.
  if (state.state === 'open') return { ...state, consecutiveFailures };
  if (consecutiveFailures >= options.threshold) return { state: 'open', consecutiveFailures, openedAt: now };
  return { state: 'closed', consecutiveFailures };
}

/**
 * A failure that says nothing about health leaves the state alone, except that a half-open probe
 * ending that way is released so the next request becomes the probe instead of waiting probeTimeoutMs.
 */
export function releaseProbe(state: BreakerState): BreakerState {
  if (state.state !== 'half-open') return state;
  const { probeStartedAt: _released, ...rest } = state;
  return rest;
}

/** The one call the shell makes after a request: success, or the classified failure type. */
export function recordOutcome(
  state: BreakerState,
  now: number,
  outcome: 'success' | ProviderFailureType,
  options: { threshold: number },
): BreakerState {
  if (outcome === 'success') return recordSuccess(state, now);
  return countsAgainstBreaker(outcome) ? recordFailure(state, now, options) : releaseProbe(state);
}

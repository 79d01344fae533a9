/**
 * What every worker consults before calling a provider: its circuit breaker plus a cool-down set by the
 * provider's last Retry-After, so that no worker sends it a request before the time it asked for.
 * Pure functions over a plain JSON value; gate-store.ts keeps that value in Redis or in memory.
 */
import type { ProviderFailureType } from './classify-provider-error';
import { decideAdmission, initialBreakerState, recordOutcome, type BreakerState } from './circuit-breaker';

export interface GateState {
  breaker: BreakerState;
  /** Epoch ms before which no request may be sent (from Retry-After). */
  coolDownUntil?: number;
}

export interface GatePolicy {
  threshold: number;
  recoveryTimeMs: number;
  probeTimeoutMs: number;
}

export type GateDecision =
  | { admit: true; probe: boolean }
  | { admit: false; type: Extract<ProviderFailureType, 'CircuitOpen' | 'RateLimited'>; retryInMs: number; reason: string };

export function initialGateState(): GateState {
  return { breaker: initialBreakerState() };
}

export function admitRequest(state: GateState, now: number, policy: GatePolicy): { next: GateState; decision: GateDecision } {
  if (state.coolDownUntil !== undefined && now < state.coolDownUntil) {
    const retryInMs = state.coolDownUntil - now;
    return { next: state, decision: { admit: false, type: 'RateLimited', retryInMs, reason: `provider asked to wait ${retryInMs} ms more (Retry-After)` } };
  }
  const admission = decideAdmission(state.breaker, now, policy);
  const next = { ...state, breaker: admission.next };
  if (admission.admit) return { next, decision: { admit: true, probe: admission.next.state === 'half-open' } };
  return {
    next,
    decision: { admit: false, type: 'CircuitOpen', retryInMs: admission.retryInMs ?? policy.recoveryTimeMs, reason: admission.reason ?? 'circuit open' },
  };
}

export function recordRequestOutcome(
  state: GateState,
  now: number,
  outcome: 'success' | ProviderFailureType,
  policy: GatePolicy,
  retryAfterMs?: number,
): GateState {
  const breaker = recordOutcome(state.breaker, now, outcome, policy);
  const requested = retryAfterMs !== undefined && outcome === 'RateLimited' ? now + retryAfterMs : undefined;
  const coolDownUntil = Math.max(state.coolDownUntil ?? 0, requested ?? 0);
  return coolDownUntil > now ? { breaker, coolDownUntil } : { breaker };
}

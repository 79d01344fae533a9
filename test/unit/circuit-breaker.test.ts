import assert from 'node:assert/strict';
import { PROVIDER_FAILURE_TYPES, type ProviderFailureType } from '../../shared/core/resilience/classify-provider-error';
import {
  type BreakerState,
  countsAgainstBreaker,
  decideAdmission,
  initialBreakerState,
  recordFailure,
  recordOutcome,
  recordSuccess,
} from '../../shared/core/resilience/circuit-breaker';

// The design's ResilientLLMClient: circuit_breaker_threshold=5, circuit_breaker_recovery_time=60 s.
const threshold = 5;
const admission = { recoveryTimeMs: 60_000, probeTimeoutMs: 90_000 };
const T0 = 1_700_000_000_000;

function failTimes(count: number, state: BreakerState = initialBreakerState(), now = T0): BreakerState {
  for (let i = 0; i < count; i++) state = recordFailure(state, now, { threshold });
  return state;
}

/** An open breaker whose recovery time has passed, with its single probe admitted at `now`. */
function halfOpenAt(now: number): BreakerState {
  const admitted = decideAdmission(failTimes(threshold), now, admission);
  assert.equal(admitted.admit, true);
  return admitted.next;
}

describe('circuit breaker', () => {
  it('starts closed and admits requests', () => {
    const decision = decideAdmission(initialBreakerState(), T0, admission);
    assert.equal(decision.admit, true);
    assert.deepEqual(decision.next, { state: 'closed', consecutiveFailures: 0 });
  });

  it('stays closed below the threshold and opens exactly at the threshold', () => {
    const below = failTimes(threshold - 1);
    assert.deepEqual(below, { state: 'closed', consecutiveFailures: 4 });
    assert.deepEqual(recordFailure(below, T0 + 5, { threshold }), { state: 'open', consecutiveFailures: 5, openedAt: T0 + 5 });
  });

  it('resets the consecutive count on a success', () => {
    const state = recordSuccess(failTimes(threshold - 1), T0);
    assert.deepEqual(failTimes(threshold - 1, state), { state: 'closed', consecutiveFailures: 4 });
  });

  it('rejects while open and says how long until recovery', () => {
    const decision = decideAdmission(failTimes(threshold), T0 + 15_000, admission);
    assert.equal(decision.admit, false);
    assert.equal(decision.retryInMs, 45_000);
    assert.equal(decision.reason, 'circuit open');
    assert.equal(decision.next.state, 'open');
  });

  it('never reports more than the recovery time when a worker clock lags openedAt', () => {
    const decision = decideAdmission(failTimes(threshold), T0 - 5_000, admission);
    assert.equal(decision.retryInMs, 60_000);
  });

  it('admits exactly one probe once the recovery time has passed', () => {
    const probe = decideAdmission(failTimes(threshold), T0 + 60_000, admission);
    assert.equal(probe.admit, true);
    assert.equal(probe.next.state, 'half-open');
    assert.equal(probe.next.probeStartedAt, T0 + 60_000);

    const concurrent = decideAdmission(probe.next, T0 + 60_001, admission);
    assert.equal(concurrent.admit, false);
    assert.equal(concurrent.reason, 'probe in flight');
    assert.equal(concurrent.retryInMs, 89_999);
    assert.deepEqual(concurrent.next, probe.next);
  });

  it('closes when the probe succeeds', () => {
    const closed = recordSuccess(halfOpenAt(T0 + 60_000), T0 + 61_000);
    assert.deepEqual(closed, { state: 'closed', consecutiveFailures: 0 });
    assert.equal(decideAdmission(closed, T0 + 61_001, admission).admit, true);
  });

  it('re-opens with a new openedAt when the probe fails', () => {
    const reopened = recordFailure(halfOpenAt(T0 + 60_000), T0 + 61_000, { threshold });
    assert.equal(reopened.state, 'open');
    assert.equal(reopened.openedAt, T0 + 61_000);
    assert.equal(reopened.probeStartedAt, undefined);
    const decision = decideAdmission(reopened, T0 + 61_000 + 59_999, admission);
    assert.equal(decision.admit, false);
    assert.equal(decision.retryInMs, 1);
  });

  it('admits a new probe when the previous one is older than probeTimeoutMs (crashed worker)', () => {
    const stale = halfOpenAt(T0 + 60_000);
    assert.equal(decideAdmission(stale, T0 + 60_000 + 89_999, admission).admit, false);
    const replacement = decideAdmission(stale, T0 + 60_000 + 90_000, admission);
    assert.equal(replacement.admit, true);
    assert.equal(replacement.next.state, 'half-open');
    assert.equal(replacement.next.probeStartedAt, T0 + 150_000);
  });

  it('does not extend the open period for a late failure of a request admitted earlier', () => {
    const open = failTimes(threshold);
    const later = recordFailure(open, T0 + 30_000, { threshold });
    assert.equal(later.openedAt, T0);
    assert.equal(later.state, 'open');
  });

  it('counts only failures that say something about the provider health', () => {
    const counting = Object.values(PROVIDER_FAILURE_TYPES).filter(countsAgainstBreaker).sort();
    assert.deepEqual(counting, ['AuthFailed', 'ConnectionError', 'Overloaded', 'ServerError', 'Timeout', 'Unknown']);
  });

  it('never opens on rate limits, bad requests, over-long prompts, bad output, cancellations or its own rejections', () => {
    const neutral: ProviderFailureType[] = ['RateLimited', 'InvalidRequest', 'ContextTooLong', 'InvalidOutput', 'Cancelled', 'CircuitOpen'];
    let state = initialBreakerState();
    for (let i = 0; i < threshold * 3; i++) state = recordOutcome(state, T0, neutral[i % neutral.length]!, { threshold });
    assert.deepEqual(state, { state: 'closed', consecutiveFailures: 0 });
  });

  it('opens through recordOutcome after threshold counting failures, and closes on success', () => {
    let state = initialBreakerState();
    for (let i = 0; i < threshold; i++) state = recordOutcome(state, T0, 'Overloaded', { threshold });
    assert.equal(state.state, 'open');
    assert.deepEqual(recordOutcome(state, T0, 'success', { threshold }), initialBreakerState());
  });

  it('releases the probe when it ends with a failure that says nothing about health', () => {
    const released = recordOutcome(halfOpenAt(T0 + 60_000), T0 + 60_500, 'InvalidRequest', { threshold });
    assert.equal(released.state, 'half-open');
    assert.equal(released.probeStartedAt, undefined);
    const next = decideAdmission(released, T0 + 60_501, admission);
    assert.equal(next.admit, true);
    assert.equal(next.next.probeStartedAt, T0 + 60_501);
  });

  it('keeps its state a plain JSON value: every transition survives a round trip', () => {
    const states = [
      initialBreakerState(),
      failTimes(2),
      failTimes(threshold),
      halfOpenAt(T0 + 60_000),
      recordFailure(halfOpenAt(T0 + 60_000), T0 + 61_000, { threshold }),
    ];
    for (const state of states) {
      const restored = JSON.parse(JSON.stringify(state)) as BreakerState;
      assert.deepEqual(restored, state);
      assert.deepEqual(decideAdmission(restored, T0 + 70_000, admission), decideAdmission(state, T0 + 70_000, admission));
    }
  });
});

import assert from 'node:assert/strict';
import { admitRequest, initialGateState, recordRequestOutcome, type GatePolicy, type GateState } from '../../shared/core/resilience/provider-gate';

const policy: GatePolicy = { threshold: 2, recoveryTimeMs: 1_000, probeTimeoutMs: 5_000 };

describe('provider gate (breaker + Retry-After cool-down)', () => {
  it('admits while closed', () => {
    assert.deepEqual(admitRequest(initialGateState(), 0, policy).decision, { admit: true, probe: false });
  });

  it('rejects with CircuitOpen once the threshold of health failures is reached, until the recovery time', () => {
    let state: GateState = initialGateState();
    state = recordRequestOutcome(state, 0, 'ServerError', policy);
    assert.equal(admitRequest(state, 1, policy).decision.admit, true);
    state = recordRequestOutcome(state, 10, 'Timeout', policy);
    const rejected = admitRequest(state, 500, policy).decision;
    assert.deepEqual(rejected, { admit: false, type: 'CircuitOpen', retryInMs: 510, reason: 'circuit open' });
  });

  it('admits exactly one probe after the recovery time', () => {
    let state = recordRequestOutcome(recordRequestOutcome(initialGateState(), 0, 'Overloaded', policy), 0, 'Overloaded', policy);
    const first = admitRequest(state, 1_000, policy);
    assert.deepEqual(first.decision, { admit: true, probe: true });
    state = first.next;
    const second = admitRequest(state, 1_001, policy);
    assert.equal(second.decision.admit, false);
    assert.equal(recordRequestOutcome(state, 1_200, 'success', policy).breaker.state, 'closed');
    assert.equal(recordRequestOutcome(state, 1_200, 'ServerError', policy).breaker.state, 'open');
  });

  it('does not count RateLimited against the breaker but cools down every caller for the Retry-After', () => {
    let state = initialGateState();
    for (let i = 0; i < 5; i++) state = recordRequestOutcome(state, 100, 'RateLimited', policy, 2_000);
    assert.equal(state.breaker.state, 'closed');
    assert.equal(state.coolDownUntil, 2_100);
    assert.deepEqual(admitRequest(state, 600, policy).decision, {
      admit: false,
      type: 'RateLimited',
      retryInMs: 1_500,
      reason: 'provider asked to wait 1500 ms more (Retry-After)',
    });
    assert.equal(admitRequest(state, 2_100, policy).decision.admit, true);
  });

  it('never shortens a cool-down when a shorter Retry-After arrives later', () => {
    let state = recordRequestOutcome(initialGateState(), 0, 'RateLimited', policy, 5_000);
    state = recordRequestOutcome(state, 1_000, 'RateLimited', policy, 1_000);
    assert.equal(state.coolDownUntil, 5_000);
  });

  it('drops an elapsed cool-down from the stored state', () => {
    const state = recordRequestOutcome({ ...initialGateState(), coolDownUntil: 50 }, 100, 'success', policy);
    assert.deepEqual(state, initialGateState());
  });

  it('counts AuthFailed but not InvalidRequest, ContextTooLong or Cancelled', () => {
    let state = initialGateState();
    for (const type of ['InvalidRequest', 'ContextTooLong', 'Cancelled', 'InvalidOutput'] as const) {
      state = recordRequestOutcome(state, 0, type, policy);
    }
    assert.equal(state.breaker.consecutiveFailures, 0);
    state = recordRequestOutcome(recordRequestOutcome(state, 0, 'AuthFailed', policy), 0, 'AuthFailed', policy);
    assert.equal(state.breaker.state, 'open');
  });
});

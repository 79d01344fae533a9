import assert from 'node:assert/strict';
import { appendAudit, AUDIT_LIMIT, type AuditEntry } from '../../shared/core/operation-mode/audit';
import { resolveHysteresisConfig, type HealthCheckResult } from '../../shared/core/operation-mode/health-hysteresis';
import {
  applyHealthCheck,
  applyOverride,
  clearOverride,
  expireOverride,
  HEALTH_ACTOR,
  initialOperationModeState,
  type ModeChange,
  type OperationModeState,
} from '../../shared/core/operation-mode/state';
import { isTransitionAllowed } from '../../shared/core/operation-mode/transitions';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const SECOND = 1_000;
const fast = resolveHysteresisConfig({ failuresToDegrade: 2, passesToRecover: 2, minDwellMs: 10 * SECOND });

const allPass: HealthCheckResult = { components: [{ name: 'db', critical: true, ok: true }, { name: 'redis', critical: false, ok: true }] };
const optionalFails: HealthCheckResult = { components: [{ name: 'db', critical: true, ok: true }, { name: 'redis', critical: false, ok: false }] };
const criticalFails: HealthCheckResult = { components: [{ name: 'db', critical: true, ok: false }, { name: 'redis', critical: false, ok: true }] };

/** A deterministic mix of health checks, overrides, clears and expiries; counts the transitions reported. */
function simulate(steps: number): { state: OperationModeState; reported: AuditEntry[] } {
  let state = initialOperationModeState(T0);
  const reported: AuditEntry[] = [];
  let seed = 7;
  const nextRandom = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const record = (change: ModeChange) => {
    state = change.state;
    if (change.transition) reported.push(change.transition);
  };
  for (let step = 0; step < steps; step++) {
    const nowMs = T0 + step * 5 * SECOND;
    record(expireOverride(state, nowMs));
    const roll = nextRandom();
    if (roll < 0.8) record(applyHealthCheck(state, [allPass, optionalFails, criticalFails][Math.floor(nextRandom() * 3)]!, nowMs, fast));
    else if (roll < 0.9) {
      const mode = (['NORMAL', 'DEGRADED', 'EMERGENCY', 'MAINTENANCE'] as const)[Math.floor(nextRandom() * 4)];
      const expiresAt = nextRandom() < 0.5 ? new Date(nowMs + 60 * SECOND).toISOString() : undefined;
      const outcome = applyOverride(state, { mode, reason: 'simulated', actor: 'sim', expiresAt }, nowMs);
      if (outcome.ok) record(outcome);
    } else record(clearOverride(state, { actor: 'sim' }, nowMs));
    if (!state.override) assert.equal(state.mode, state.health.mode, 'without an override the mode is the health mode');
  }
  return { state, reported };
}

describe('operation mode: audit trail', () => {
  it('writes exactly one audit entry per transition, whatever caused it', () => {
    const { state, reported } = simulate(150);
    assert.ok(reported.length > 5 && reported.length < AUDIT_LIMIT, `${reported.length} transitions`);
    assert.deepEqual(state.audit, reported);
    assert.equal(state.transitionCount, reported.length);
    assert.deepEqual(new Set(reported.map((entry) => entry.cause)), new Set(['health', 'override', 'override-cleared', 'override-expired']));
    for (const entry of reported) {
      assert.notEqual(entry.from, entry.to);
      assert.ok(isTransitionAllowed(entry.cause, entry.from, entry.to), `${entry.cause}: ${entry.from}->${entry.to}`);
    }
  });

  it('keeps only the newest 100 entries but counts every transition', () => {
    const { state, reported } = simulate(3_000);
    assert.ok(reported.length > AUDIT_LIMIT, `${reported.length} transitions`);
    assert.equal(state.audit.length, AUDIT_LIMIT);
    assert.deepEqual(state.audit, reported.slice(-AUDIT_LIMIT));
    assert.equal(state.transitionCount, reported.length);
  });

  it('records a health transition with its actor, time, reason and the checks that caused it', () => {
    let state = initialOperationModeState(T0);
    state = applyHealthCheck(state, criticalFails, T0, fast).state;
    const change = applyHealthCheck(state, criticalFails, T0 + 30 * SECOND, fast);
    assert.deepEqual(change.transition, {
      from: 'NORMAL',
      to: 'EMERGENCY',
      cause: 'health',
      actor: HEALTH_ACTOR,
      reason: '2 consecutive checks with critical failures: db',
      at: '2025-01-01T00:00:30.000Z',
      checks: criticalFails.components,
    });
    assert.equal(change.state.modeSince, '2025-01-01T00:00:30.000Z');
  });

  it('writes nothing when the mode does not change', () => {
    let state = initialOperationModeState(T0);
    for (let step = 0; step < 50; step++) state = applyHealthCheck(state, allPass, T0 + step * SECOND, fast).state;
    assert.deepEqual(state.audit, []);
    assert.equal(state.transitionCount, 0);
  });

  it('appends without changing the given trail and drops the oldest beyond the limit', () => {
    const entry = (n: number): AuditEntry => ({ from: 'NORMAL', to: 'DEGRADED', cause: 'health', actor: 'x', reason: String(n), at: '', checks: [] });
    const trail = [entry(1), entry(2), entry(3)];
    assert.deepEqual(appendAudit(trail, entry(4), 3).map((e) => e.reason), ['2', '3', '4']);
    assert.equal(trail.length, 3);
  });
});

import assert from 'node:assert/strict';
import { resolveHysteresisConfig, type HealthCheckResult } from '../../shared/core/operation-mode/health-hysteresis';
import { validateClearOverrideRequest, validateOverrideRequest, type OverrideErrorCode } from '../../shared/core/operation-mode/override-request';
import {
  applyHealthCheck,
  applyOverride,
  clearOverride,
  degradationReasons,
  expireOverride,
  initialOperationModeState,
  overrideExpiresAtMs,
  type OperationModeState,
} from '../../shared/core/operation-mode/state';
import { ALLOWED_TRANSITIONS, isTransitionAllowed } from '../../shared/core/operation-mode/transitions';
import { describeOperationMode } from '../../shared/core/operation-mode/view';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const instant = resolveHysteresisConfig({ failuresToDegrade: 1, passesToRecover: 1, minDwellMs: 0 });

const allPass: HealthCheckResult = { components: [{ name: 'temporal', critical: true, ok: true }] };
const criticalFails: HealthCheckResult = { components: [{ name: 'temporal', critical: true, ok: false, message: 'down' }] };

function override(state: OperationModeState, request: unknown, nowMs = T0): OperationModeState {
  const outcome = applyOverride(state, request, nowMs);
  assert.ok(outcome.ok, JSON.stringify(outcome));
  return outcome.state;
}

function errorCodes(request: unknown, state: OperationModeState = initialOperationModeState(T0), nowMs = T0): OverrideErrorCode[] {
  const outcome = applyOverride(state, request, nowMs);
  assert.equal(outcome.ok, false);
  return outcome.ok ? [] : outcome.errors.map((error) => error.code);
}

describe('operation mode: manual override', () => {
  it('sets the mode at once, records who and why, and pins it until cleared', () => {
    const state = override(initialOperationModeState(T0), { mode: 'DEGRADED', reason: 'provider incident', actor: 'alice' });
    assert.equal(state.mode, 'DEGRADED');
    assert.deepEqual(state.override, { mode: 'DEGRADED', reason: 'provider incident', actor: 'alice', severity: 'warning', setAt: iso(T0) });
    assert.deepEqual(degradationReasons(state), [{ component: 'override:alice', description: 'provider incident', severity: 'warning' }]);
    assert.equal(describeOperationMode(state).flags.enable_advanced_llm_models?.value, false);

    const cleared = clearOverride(state, { actor: 'bob' }, T0 + MINUTE);
    assert.equal(cleared.state.mode, 'NORMAL');
    assert.equal(cleared.state.override, undefined);
    assert.deepEqual({ cause: cleared.transition?.cause, actor: cleared.transition?.actor }, { cause: 'override-cleared', actor: 'bob' });
  });

  it('ignores a clear when no override is active', () => {
    const state = initialOperationModeState(T0);
    assert.deepEqual(clearOverride(state, { actor: 'bob' }, T0), { state });
  });

  it('hands control back to health when the override expires, and not a moment before', () => {
    let state = override(initialOperationModeState(T0), { mode: 'EMERGENCY', reason: 'drill', actor: 'alice', expiresAt: iso(T0 + 10 * MINUTE) });
    state = applyHealthCheck(state, allPass, T0 + MINUTE, instant).state;
    assert.equal(overrideExpiresAtMs(state), T0 + 10 * MINUTE);
    assert.deepEqual(expireOverride(state, T0 + 10 * MINUTE - 1), { state });

    const expired = expireOverride(state, T0 + 10 * MINUTE);
    assert.equal(expired.state.mode, 'NORMAL');
    assert.equal(expired.state.override, undefined);
    assert.equal(expired.transition?.cause, 'override-expired');
    assert.match(expired.transition?.reason ?? '', /override to EMERGENCY by alice \(drill\) expired/);
  });

  it('hands back to the mode health measured while the override was active', () => {
    let state = override(initialOperationModeState(T0), { mode: 'DEGRADED', reason: 'deploy', actor: 'alice', expiresAt: iso(T0 + 10 * MINUTE) });
    const measured = applyHealthCheck(state, criticalFails, T0 + MINUTE, instant);
    assert.equal(measured.transition, undefined, 'the override pins the mode');
    state = measured.state;
    assert.deepEqual({ mode: state.mode, healthMode: state.health.mode }, { mode: 'DEGRADED', healthMode: 'EMERGENCY' });
    assert.equal(expireOverride(state, T0 + 10 * MINUTE).state.mode, 'EMERGENCY');
  });

  it('never lets automatic health leave a MAINTENANCE set by hand', () => {
    let state = override(initialOperationModeState(T0), { mode: 'MAINTENANCE', reason: 'database upgrade', actor: 'alice' });
    for (let minute = 1; minute <= 120; minute++) {
      const change = applyHealthCheck(state, minute % 40 < 20 ? criticalFails : allPass, T0 + minute * MINUTE, instant);
      assert.equal(change.transition, undefined);
      state = change.state;
    }
    assert.equal(state.mode, 'MAINTENANCE');
    assert.equal(state.audit.length, 1);
    assert.equal(expireOverride(state, T0 + 365 * 24 * 60 * MINUTE).state.mode, 'MAINTENANCE', 'no expiry was set');
  });

  it('replaces an active override with a new one', () => {
    let state = override(initialOperationModeState(T0), { mode: 'MAINTENANCE', reason: 'upgrade', actor: 'alice' });
    state = override(state, { mode: 'DEGRADED', reason: 'upgrade done, watching', actor: 'bob', severity: 'info' }, T0 + MINUTE);
    assert.equal(state.mode, 'DEGRADED');
    assert.equal(state.override?.actor, 'bob');
    assert.equal(state.override?.severity, 'info');
  });

  describe('invalid requests', () => {
    it('reports every problem at once, as typed errors, without throwing or changing the state', () => {
      const state = initialOperationModeState(T0);
      const outcome = applyOverride(state, { mode: 'PANIC', reason: '  ', actor: '', severity: 'apocalyptic', expiresAt: 'tomorrow' }, T0);
      assert.equal(outcome.ok, false);
      if (outcome.ok) return;
      assert.deepEqual(
        outcome.errors.map((error) => [error.code, error.field]),
        [
          ['INVALID_MODE', 'mode'],
          ['INVALID_SEVERITY', 'severity'],
          ['EMPTY_REASON', 'reason'],
          ['EMPTY_ACTOR', 'actor'],
          ['INVALID_EXPIRY', 'expiresAt'],
        ],
      );
      assert.match(outcome.errors[0]?.message ?? '', /NORMAL, DEGRADED, EMERGENCY, MAINTENANCE.*"PANIC"/);
    });

    it('rejects a request that is not an object', () => {
      for (const request of [undefined, null, 'MAINTENANCE', 3, []]) assert.deepEqual(errorCodes(request), ['INVALID_REQUEST']);
    });

    it('rejects an expiry that is not in the future', () => {
      assert.deepEqual(errorCodes({ mode: 'DEGRADED', reason: 'x', actor: 'a', expiresAt: iso(T0) }), ['EXPIRY_IN_PAST']);
      assert.deepEqual(errorCodes({ mode: 'DEGRADED', reason: 'x', actor: 'a', expiresAt: iso(T0 - MINUTE) }), ['EXPIRY_IN_PAST']);
    });

    it('rejects EMERGENCY → NORMAL: leaving an emergency by hand goes through DEGRADED, or clears the override', () => {
      const emergency = override(initialOperationModeState(T0), { mode: 'EMERGENCY', reason: 'outage', actor: 'alice' });
      assert.deepEqual(errorCodes({ mode: 'NORMAL', reason: 'fixed', actor: 'alice' }, emergency), ['TRANSITION_NOT_ALLOWED']);
      assert.equal(override(emergency, { mode: 'DEGRADED', reason: 'fixed', actor: 'alice' }).mode, 'DEGRADED');
    });

    it('accepts a request that keeps the current mode: it pins the mode without a transition', () => {
      const outcome = applyOverride(initialOperationModeState(T0), { mode: 'NORMAL', reason: 'flaky probe', actor: 'alice' }, T0);
      assert.ok(outcome.ok);
      assert.equal(outcome.transition, undefined);
      assert.equal(outcome.state.override?.mode, 'NORMAL');
    });

    it('trims text and validates clear requests too', () => {
      const validated = validateOverrideRequest({ mode: 'DEGRADED', reason: ' deploy ', actor: ' alice ' }, { mode: 'NORMAL' }, T0);
      assert.deepEqual(validated, { ok: true, value: { mode: 'DEGRADED', reason: 'deploy', actor: 'alice' } });
      assert.deepEqual(validateClearOverrideRequest({ actor: ' ' }), {
        ok: false,
        errors: [{ code: 'EMPTY_ACTOR', field: 'actor', message: 'actor must be a non-empty string' }],
      });
    });
  });

  it('documents the transition table: health never touches MAINTENANCE, overrides may not jump EMERGENCY → NORMAL', () => {
    assert.deepEqual(ALLOWED_TRANSITIONS.health.MAINTENANCE, []);
    for (const from of ['NORMAL', 'DEGRADED', 'EMERGENCY'] as const) assert.equal(isTransitionAllowed('health', from, 'MAINTENANCE'), false);
    assert.equal(isTransitionAllowed('health', 'EMERGENCY', 'NORMAL'), false);
    assert.equal(isTransitionAllowed('override', 'EMERGENCY', 'NORMAL'), false);
    assert.equal(isTransitionAllowed('override', 'MAINTENANCE', 'NORMAL'), true);
    assert.equal(isTransitionAllowed('override-expired', 'MAINTENANCE', 'NORMAL'), true);
    assert.equal(isTransitionAllowed('override-expired', 'NORMAL', 'MAINTENANCE'), false);
  });
});

import assert from 'node:assert/strict';
import { combinedMode, validateBudgetReport } from '../../shared/core/operation-mode/budget-mode';
import { evaluateFlag } from '../../shared/core/operation-mode/feature-flags';
import { applyBudgetReport, applyHealthCheck, applyOverride, clearOverride, initialOperationModeState } from '../../shared/core/operation-mode/state';
import { isTransitionAllowed } from '../../shared/core/operation-mode/transitions';
import { describeOperationMode } from '../../shared/core/operation-mode/view';
import { globalBudgetLevel } from '../../shared/core/spend/global-level';
import type { LedgerLimits } from '../../shared/core/spend/budget';

const T0 = Date.UTC(2026, 10, 30, 12);
const degraded = { level: 'degraded' as const, reason: 'global day budget over 80 %', resetsAt: '2026-12-01T00:00:00.000Z' };
const exhausted = { level: 'exhausted' as const, reason: 'global day budget exhausted', resetsAt: '2026-12-01T00:00:00.000Z' };
const ok = { level: 'ok' as const, reason: 'global budget within its limits' };

describe('operation mode: the global budget', () => {
  it('degraded or exhausted → DEGRADED at once with a budget audit entry and reason; ok → back to what health says', () => {
    let state = initialOperationModeState(T0);
    let change = applyBudgetReport(state, degraded, T0 + 1);
    assert.equal(change.state.mode, 'DEGRADED');
    assert.deepEqual([change.transition?.cause, change.transition?.actor, change.transition?.reason], ['budget', 'budget-monitor', degraded.reason]);
    assert.deepEqual(describeOperationMode(change.state).reasons, [{ component: 'budget', description: degraded.reason, severity: 'warning' }]);
    state = change.state;
    change = applyBudgetReport(state, exhausted, T0 + 2);
    assert.equal(change.transition, undefined, 'degraded → exhausted stays DEGRADED');
    const view = describeOperationMode(change.state);
    assert.deepEqual([view.flags.enable_remote_providers!.value, view.flags.enable_remote_providers!.reason], [false, 'BUDGET']);
    assert.equal(view.flags.enable_document_analysis!.value, true, 'analysis goes on, locally');
    change = applyBudgetReport(change.state, ok, T0 + 3);
    assert.deepEqual([change.state.mode, change.transition?.cause], ['NORMAL', 'budget']);
    assert.equal(describeOperationMode(change.state).flags.enable_remote_providers!.value, true);
  });

  it('health and budget combine to the more restrictive; a health recovery does not undo a budget degradation', () => {
    assert.equal(combinedMode('NORMAL', exhausted), 'DEGRADED');
    assert.equal(combinedMode('EMERGENCY', degraded), 'EMERGENCY');
    assert.equal(combinedMode('DEGRADED', ok), 'DEGRADED');
    assert.equal(combinedMode('NORMAL', undefined), 'NORMAL');
    const config = { failuresToDegrade: 1, passesToRecover: 1, minDwellMs: 0 };
    const failing = { components: [{ name: 'cache:redis', ok: false, critical: false }] };
    const passing = { components: [{ name: 'cache:redis', ok: true, critical: false }] };
    let state = applyHealthCheck(initialOperationModeState(T0), failing, T0 + 1, config).state;
    assert.equal(state.mode, 'DEGRADED');
    state = applyBudgetReport(state, degraded, T0 + 2).state;
    const recovered = applyHealthCheck(state, passing, T0 + 3, config);
    assert.deepEqual([recovered.state.health.mode, recovered.state.mode, recovered.transition], ['NORMAL', 'DEGRADED', undefined]);
  });

  it('an override holds the mode against the budget, but the budget still switches remote providers off', () => {
    let state = applyOverride(initialOperationModeState(T0), { mode: 'NORMAL', reason: 'demo', actor: 'ops' }, T0 + 1);
    assert.ok(state.ok);
    const change = applyBudgetReport(state.state, exhausted, T0 + 2);
    assert.equal(change.state.mode, 'NORMAL');
    assert.equal(evaluateFlag('enable_remote_providers', describeOperationMode(change.state)).value, false);
    const cleared = clearOverride(change.state, { actor: 'ops' }, T0 + 3);
    assert.equal(cleared.state.mode, 'DEGRADED', 'handed back to health and budget together');
  });

  it('budget transitions are NORMAL ↔ DEGRADED only; reports are validated', () => {
    assert.equal(isTransitionAllowed('budget', 'NORMAL', 'DEGRADED'), true);
    assert.equal(isTransitionAllowed('budget', 'DEGRADED', 'NORMAL'), true);
    assert.equal(isTransitionAllowed('budget', 'EMERGENCY', 'NORMAL'), false);
    assert.deepEqual(validateBudgetReport(degraded), { ok: true, value: degraded });
    assert.equal(validateBudgetReport({ level: 'broke', reason: '' }).ok, false);
    assert.equal(validateBudgetReport(null).ok, false);
  });

  it('the level: degraded at the threshold, exhausted when no request fits any more, the dearest standing named', () => {
    const ledger = (limit: LedgerLimits['limit']): LedgerLimits => ({ key: 'global|day:2026-11-30', scope: 'global', window: 'day', resetsAtMs: Date.UTC(2026, 11, 1), limit });
    const smallest = { tokens: 700, nanoUsd: 1_000 };
    assert.equal(globalBudgetLevel([{ ledger: ledger({ tokens: 10_000 }), spent: { tokens: 7_999, nanoUsd: 0 } }], 0.8, smallest).level, 'ok');
    const atThreshold = globalBudgetLevel([{ ledger: ledger({ tokens: 10_000 }), spent: { tokens: 8_000, nanoUsd: 0 } }], 0.8, smallest);
    assert.deepEqual([atThreshold.level, atThreshold.resetsAt], ['degraded', '2026-12-01T00:00:00.000Z']);
    assert.match(atThreshold.reason, /global day budget over 80 %: light models \(80 % of 10000 tokens spent\)/);
    assert.equal(globalBudgetLevel([{ ledger: ledger({ tokens: 10_000 }), spent: { tokens: 9_301, nanoUsd: 0 } }], 0.8, smallest).level, 'exhausted');
    assert.equal(globalBudgetLevel([{ ledger: ledger({ nanoUsd: 5_000_000_000 }), spent: { tokens: 0, nanoUsd: 5_000_000_000 } }], 0.8, smallest).level, 'exhausted');
    assert.equal(globalBudgetLevel([{ ledger: ledger({}), spent: { tokens: 1e9, nanoUsd: 1e9 } }], 0.8, smallest).level, 'ok', 'a tracked window without limit');
  });
});

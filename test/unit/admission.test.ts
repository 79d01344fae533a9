import assert from 'node:assert/strict';
import { decideAdmission, type AdmissionInput, type ClientLedgerStanding } from '../../shared/core/admission';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const RESET = Date.UTC(2026, 11, 1);
const normal = { mode: 'NORMAL' as const };
const worstCase = { advanced: { tokens: 2_000, nanoUsd: 90_000_000 }, light: { tokens: 2_000, nanoUsd: 5_000_000 } };
const dayLedger = (spentNanoUsd: number, limitNanoUsd = 1_000_000_000): ClientLedgerStanding => ({
  key: 'key:abcd1234|day:2026-11-30',
  window: 'day',
  resetsAtMs: RESET,
  limit: { nanoUsd: limitNanoUsd },
  spent: { tokens: 0, nanoUsd: spentNanoUsd },
});
const decide = (input: Partial<AdmissionInput>) => decideAdmission({ entry: 'analyze', mode: normal, nowMs: NOW, ...input });

describe('admission: one decision for every entry point', () => {
  it('NORMAL: admitted, advanced tier, the advanced cache key only, remote providers on, priority normal by default', () => {
    assert.deepEqual(decide({}), { admitted: true, tier: 'advanced', cacheLookups: ['advanced'], remoteProviders: true, priority: 'normal' });
    assert.equal(decide({ priority: 'urgent' }).priority, 'urgent');
    assert.equal(decide({ priority: 'background', entry: 'batch' }).priority, 'background');
  });

  it('DEGRADED: light tier, and an advanced answer already paid for is looked up before the light one', () => {
    const decision = decide({ mode: { mode: 'DEGRADED' } });
    assert.equal(decision.tier, 'light');
    assert.deepEqual(decision.cacheLookups, ['advanced', 'light']);
  });

  it('EMERGENCY: analyze and batch refused with 503 (cache lookups still listed); a running job keeps its provider attempts', () => {
    const analyze = decide({ mode: { mode: 'EMERGENCY' } });
    assert.equal(analyze.admitted, false);
    assert.deepEqual(analyze.refusal, { kind: 'mode', status: 503, code: 'analysis_disabled', flag: 'enable_document_analysis', message: 'enable_document_analysis is off' });
    assert.deepEqual(analyze.cacheLookups, ['advanced', 'light']);
    assert.equal(decide({ entry: 'batch', mode: { mode: 'EMERGENCY' } }).refusal?.kind, 'mode');
    const attempt = decide({ entry: 'provider-attempt', mode: { mode: 'EMERGENCY' }, requestedTier: 'advanced' });
    assert.deepEqual([attempt.admitted, attempt.tier, attempt.remoteProviders], [true, 'light', true]);
  });

  it('batches are refused while the mode is unknown; single analyses are not', () => {
    assert.equal(decide({ entry: 'batch', mode: undefined, modeUnavailable: 'unreachable' }).refusal?.kind, 'mode');
    // A new analysis asks for advanced; its provider attempt, reading the mode when it runs, lowers it while still unknown.
    const analyze = decide({ mode: undefined });
    assert.deepEqual([analyze.admitted, analyze.tier], [true, 'advanced']);
    assert.equal(decide({ entry: 'provider-attempt', mode: undefined, requestedTier: 'advanced' }).tier, 'light');
  });

  it('MAINTENANCE turns remote providers off for running jobs (operation-mode)', () => {
    const attempt = decide({ entry: 'provider-attempt', mode: { mode: 'MAINTENANCE' } });
    assert.deepEqual([attempt.remoteProviders, attempt.localOnlyBecause], [false, 'operation-mode']);
  });

  it('global budget degraded: light models; exhausted: remote providers off (global-budget), analyses still admitted', () => {
    assert.equal(decide({ mode: { mode: 'NORMAL', budget: { level: 'degraded' } } }).tier, 'light');
    const exhausted = decide({ mode: { mode: 'DEGRADED', budget: { level: 'exhausted' } } });
    assert.deepEqual([exhausted.admitted, exhausted.remoteProviders, exhausted.localOnlyBecause], [true, false, 'global-budget']);
  });

  it('a provider attempt asked for light stays light', () => {
    assert.equal(decide({ entry: 'provider-attempt', requestedTier: 'light' }).tier, 'light');
  });

  it("a client whose budget cannot hold this request's worst case gets 429 naming the budget, Retry-After to the window's reset", () => {
    const decision = decide({ client: { overBudget: 'reject', ledgers: [dayLedger(950_000_000)], worstCase } });
    assert.equal(decision.admitted, false);
    assert.deepEqual(decision.refusal && { ...decision.refusal, message: undefined }, {
      kind: 'budget',
      status: 429,
      code: 'budget_exceeded',
      message: undefined,
      retryAfterSeconds: 12 * 3600,
      budget: { key: 'key:abcd1234|day:2026-11-30', window: 'day', unit: 'nanoUsd', limit: 1_000_000_000, spent: 950_000_000, resetsAt: '2026-12-01T00:00:00.000Z' },
    });
    assert.match(decision.refusal!.message, /budget key:abcd1234\|day:2026-11-30 is spent/);
  });

  it('the worst case is the tier the decision picked: light fits where advanced would not', () => {
    const decision = decide({ mode: { mode: 'DEGRADED' }, client: { overBudget: 'reject', ledgers: [dayLedger(950_000_000)], worstCase } });
    assert.deepEqual([decision.admitted, decision.tier], [true, 'light']);
  });

  it('over=local: the client is served by the local analyzer (client-budget), unless the chain has no local step', () => {
    const decision = decide({ client: { overBudget: 'local', ledgers: [dayLedger(1_000_000_000)], worstCase } });
    assert.deepEqual([decision.admitted, decision.remoteProviders, decision.localOnlyBecause], [true, false, 'client-budget']);
    assert.equal(decide({ localAvailable: false, client: { overBudget: 'local', ledgers: [dayLedger(1_000_000_000)], worstCase } }).refusal?.status, 429);
  });

  it('no remote call, no budget check: with remote providers off an exhausted client is still admitted', () => {
    const decision = decide({ mode: { mode: 'MAINTENANCE' }, entry: 'provider-attempt', client: { overBudget: 'reject', ledgers: [dayLedger(2_000_000_000)], worstCase } });
    assert.equal(decision.admitted, true);
  });

  it('the mode refusal comes before the budget one; of several overrun ledgers the one resetting last is named', () => {
    assert.equal(decide({ mode: { mode: 'EMERGENCY' }, client: { overBudget: 'reject', ledgers: [dayLedger(2e9)], worstCase } }).refusal?.kind, 'mode');
    const month: ClientLedgerStanding = { ...dayLedger(2e9), key: 'key:abcd1234|month:2026-11', window: 'month', resetsAtMs: RESET + 1 };
    const refusal = decide({ client: { overBudget: 'reject', ledgers: [dayLedger(2e9), month], worstCase } }).refusal;
    assert.ok(refusal?.kind === 'budget' && refusal.budget.window === 'month');
  });
});

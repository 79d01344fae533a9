/**
 * The one admission decision for an analysis, used by every entry point: the analyze route, the batch
 * route and each provider attempt. Pure: the caller reads the operation mode and the client's budget
 * standing, this function decides
 * - whether the work is admitted, and if not, the refusal (503 mode, 429 budget) with its Retry-After;
 * - the model tier (advanced unless the mode or the global budget says light);
 * - which cache keys to look up, in which order (an advanced answer already paid for beats a light one);
 * - whether remote providers may be called at all (mode, global budget, or the client's own budget with over=local);
 * - the priority, passed on unchanged (default normal) for the scheduling layer.
 */
import { evaluateFlag, type KnownFeatureFlagName } from './operation-mode/feature-flags';
import { tierForNewJob } from './operation-mode/job-tier';
import type { BudgetLevel } from './operation-mode/budget-mode';
import type { OperationMode } from './operation-mode/modes';
import type { ModelTier } from './providers/catalog';
import { exceededUnit, type Amount, type BudgetUnit, type BudgetWindow, type OverBudgetAction } from './spend/budget';

export const PRIORITIES = ['urgent', 'normal', 'background'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const DEFAULT_PRIORITY: Priority = 'normal';

export type AdmissionEntry = 'analyze' | 'batch' | 'provider-attempt';

/** One of the client's budget ledgers as it stands (settled spend; reservations in flight are transient and not counted here). */
export interface ClientLedgerStanding {
  key: string;
  window: BudgetWindow;
  resetsAtMs: number;
  limit: Partial<Amount>;
  spent: Amount;
}

export interface AdmissionInput {
  entry: AdmissionEntry;
  /** The operation mode as read (undefined: unknown, each flag takes its safe default). */
  mode: { mode: OperationMode; budget?: { level: BudgetLevel } } | undefined;
  modeUnavailable?: string;
  /** The tier the job asked for (provider attempts); new requests ask for advanced. */
  requestedTier?: ModelTier;
  priority?: Priority;
  /** The chain ends in the local analyzer (default true): where a client over budget with over=local can go. */
  localAvailable?: boolean;
  /** The client key's budget: its ledgers and what this request's first remote call may cost at worst, per tier. */
  client?: { overBudget: OverBudgetAction; ledgers: ClientLedgerStanding[]; worstCase: Record<ModelTier, Amount> };
  nowMs: number;
}

export type AdmissionRefusal =
  | { kind: 'mode'; status: 503; code: 'analysis_disabled'; flag: KnownFeatureFlagName; message: string }
  | {
      kind: 'budget';
      status: 429;
      code: 'budget_exceeded';
      message: string;
      retryAfterSeconds: number;
      budget: { key: string; window: BudgetWindow; unit: BudgetUnit; limit: number; spent: number; resetsAt: string };
    };

export interface AdmissionDecision {
  admitted: boolean;
  /** Present when not admitted. Cache lookups still apply first: a cached answer costs nothing and needs no provider. */
  refusal?: AdmissionRefusal;
  tier: ModelTier;
  /** Cache keys' tiers to look up, in order. */
  cacheLookups: ModelTier[];
  /** False: the local analyzer only (mode, global budget, or the client's own budget with over=local). */
  remoteProviders: boolean;
  /** Why remote providers are off, when they are. */
  localOnlyBecause?: 'operation-mode' | 'global-budget' | 'client-budget';
  priority: Priority;
}

const FLAGS_BY_ENTRY: Record<AdmissionEntry, KnownFeatureFlagName[]> = {
  analyze: ['enable_document_analysis'],
  batch: ['enable_document_analysis', 'enable_batch_analysis'],
  // A running job finishes whatever the mode says about new work; its remote calls follow enable_remote_providers.
  'provider-attempt': [],
};

const UNIT_NAMES: Record<BudgetUnit, string> = { tokens: 'tokens', nanoUsd: 'nano-USD' };

/** The client's ledger that this request would overrun, the one resetting last first (that is when the client may come back). */
function overrunLedger(client: NonNullable<AdmissionInput['client']>, worstCase: Amount) {
  const overrun = client.ledgers
    .map((ledger) => ({ ledger, unit: exceededUnit(ledger.spent, worstCase, ledger.limit) }))
    .filter((entry): entry is { ledger: ClientLedgerStanding; unit: BudgetUnit } => entry.unit !== undefined);
  return overrun.sort((a, b) => b.ledger.resetsAtMs - a.ledger.resetsAtMs)[0];
}

/** A module-level function rather than a closure per call: every analyze request decides admission. */
function flagIn(input: AdmissionInput, name: KnownFeatureFlagName) {
  return evaluateFlag(name, input.mode, input.modeUnavailable);
}

export function decideAdmission(input: AdmissionInput): AdmissionDecision {
  // A new request while the mode is unknown asks for advanced; its provider attempts read the mode again (tierForNewJob).
  const advanced = input.requestedTier === undefined ? tierForNewJob(input.mode) === 'advanced' : flagIn(input, 'enable_advanced_llm_models').value;
  const tier: ModelTier = (input.requestedTier ?? 'advanced') === 'advanced' && advanced ? 'advanced' : 'light';
  const cacheLookups: ModelTier[] = tier === 'advanced' ? ['advanced'] : ['advanced', 'light'];
  const priority = input.priority ?? DEFAULT_PRIORITY;
  const remote = flagIn(input, 'enable_remote_providers');
  const decision: AdmissionDecision = {
    admitted: true,
    tier,
    cacheLookups,
    remoteProviders: remote.value,
    ...(!remote.value && { localOnlyBecause: remote.reason === 'BUDGET' ? ('global-budget' as const) : ('operation-mode' as const) }),
    priority,
  };

  for (const name of FLAGS_BY_ENTRY[input.entry]) {
    if (!flagIn(input, name).value) {
      return { ...decision, admitted: false, refusal: { kind: 'mode', status: 503, code: 'analysis_disabled', flag: name, message: `${name} is off` } };
    }
  }

  // Only work that would call a remote provider is held to the client's budget: local analysis costs nothing.
  const overrun = decision.remoteProviders && input.client ? overrunLedger(input.client, input.client.worstCase[tier]) : undefined;
  if (!overrun) return decision;
  if (input.client!.overBudget === 'local' && input.localAvailable !== false) return { ...decision, remoteProviders: false, localOnlyBecause: 'client-budget' };
  const { ledger, unit } = overrun;
  const limit = ledger.limit[unit]!;
  const resetsAt = new Date(ledger.resetsAtMs).toISOString();
  return {
    ...decision,
    admitted: false,
    refusal: {
      kind: 'budget',
      status: 429,
      code: 'budget_exceeded',
      message: `budget ${ledger.key} is spent: ${ledger.spent[unit]} of ${limit} ${UNIT_NAMES[unit]} used, and this request may need up to ${input.client!.worstCase[tier][unit]}; it resets at ${resetsAt}`,
      retryAfterSeconds: Math.max(1, Math.ceil((ledger.resetsAtMs - input.nowMs) / 1000)),
      budget: { key: ledger.key, window: ledger.window, unit, limit, spent: ledger.spent[unit], resetsAt },
    },
  };
}

/** What callers of the operation-mode workflow see: the mode, why, and what it means for each flag. */
import { evaluateAllFlags, type FlagEvaluation } from './feature-flags';
import type { DegradationReason, HealthMode, OperationMode } from './modes';
import { degradationReasons, type ActiveOverride, type OperationModeState } from './state';
import type { BudgetReport } from './budget-mode';

export interface OperationModeView {
  mode: OperationMode;
  modeSince: string;
  /** What health alone says; differs from `mode` while an override is active. */
  healthMode: HealthMode;
  override?: ActiveOverride;
  reasons: DegradationReason[];
  flags: Record<string, FlagEvaluation>;
  /** The global budget's level as last reported (absent before the first report). */
  budget?: BudgetReport;
}

export function describeOperationMode(state: OperationModeState): OperationModeView {
  const view: OperationModeView = {
    mode: state.mode,
    modeSince: state.modeSince,
    healthMode: state.health.mode,
    reasons: degradationReasons(state),
    flags: evaluateAllFlags(state),
  };
  if (state.override) view.override = state.override;
  if (state.budget) view.budget = state.budget;
  return view;
}

/**
 * Feature flags whose value depends on the operation mode, evaluated in the OpenFeature style: every
 * evaluation returns a value and the reason it was chosen, and never throws, so a caller can always
 * decide. When the mode is unknown (the operation-mode workflow cannot be reached) each flag falls back
 * to its own `safeDefault`, chosen per flag for what is least harmful while we are blind.
 */
import type { OperationMode } from './modes';
import type { BudgetLevel } from './budget-mode';

export interface FeatureFlag {
  name: string;
  description: string;
  /** The value in any mode that `modeValues` does not mention. */
  defaultValue: boolean;
  modeValues: Partial<Record<OperationMode, boolean>>;
  /** The value when the current mode is unknown. */
  safeDefault: boolean;
  /** Switched off at these global budget levels, whatever the mode (budgets hold even against an override). */
  offAtBudget?: readonly BudgetLevel[];
}

export type FeatureFlagRegistry = Readonly<Record<string, FeatureFlag>>;

export const FEATURE_FLAGS = {
  enable_document_analysis: {
    name: 'enable_document_analysis',
    description: 'Accept new document analysis requests',
    defaultValue: true,
    modeValues: { EMERGENCY: false, MAINTENANCE: false },
    // Not knowing the mode is no reason to refuse work: starting an analysis needs Temporal anyway, and
    // the provider breakers protect the providers.
    safeDefault: true,
  },
  enable_advanced_llm_models: {
    name: 'enable_advanced_llm_models',
    description: 'Use the expensive, slower advanced models instead of the light ones',
    defaultValue: true,
    modeValues: { DEGRADED: false, EMERGENCY: false, MAINTENANCE: false },
    // Light models still answer; they are the cheaper guess while the system state is unknown.
    safeDefault: false,
    offAtBudget: ['degraded', 'exhausted'],
  },
  enable_batch_analysis: {
    name: 'enable_batch_analysis',
    description: 'Accept batch analysis requests (many documents at once)',
    defaultValue: true,
    modeValues: { EMERGENCY: false, MAINTENANCE: false },
    // Batches are the largest load we can refuse; refuse them while blind.
    safeDefault: false,
  },
  enable_remote_providers: {
    name: 'enable_remote_providers',
    description: 'Call remote LLM providers; when off, only the local analyzer runs',
    defaultValue: true,
    // Off only for maintenance (keys rotated, quotas reset): in-flight work finishes locally. In DEGRADED
    // and EMERGENCY the per-provider circuit breakers already decide, and the local analyzer is weaker.
    modeValues: { MAINTENANCE: false },
    safeDefault: true,
    // The global budget spent: nothing remote until its window resets; the local analyzer costs nothing.
    offAtBudget: ['exhausted'],
  },
} as const satisfies FeatureFlagRegistry;

export type KnownFeatureFlagName = keyof typeof FEATURE_FLAGS;

/** A new registry with `flag` added (or replaced); the given registry is left alone. */
export function registerFeatureFlag(registry: FeatureFlagRegistry, flag: FeatureFlag): FeatureFlagRegistry {
  return { ...registry, [flag.name]: flag };
}

/** Why a flag has its value, after OpenFeature's resolution reasons. */
export type FlagEvaluationReason = 'MODE_VALUE' | 'DEFAULT' | 'UNAVAILABLE' | 'UNKNOWN_FLAG' | 'BUDGET';

export interface FlagEvaluation {
  flag: string;
  value: boolean;
  reason: FlagEvaluationReason;
  /** The mode the value was derived from; absent when the mode was unknown. */
  mode?: OperationMode;
  /** For UNAVAILABLE and UNKNOWN_FLAG: what went wrong. */
  errorMessage?: string;
}

/**
 * The flag's value in `modeState`'s mode. An unknown flag is off: code asking for a flag nobody defined
 * must not switch something on by accident.
 */
export function evaluateFlag(
  name: string,
  modeState: { mode: OperationMode; budget?: { level: BudgetLevel } } | undefined,
  reasonIfUnavailable?: string,
  registry: FeatureFlagRegistry = FEATURE_FLAGS,
): FlagEvaluation {
  const flag = Object.prototype.hasOwnProperty.call(registry, name) ? registry[name] : undefined;
  if (!flag) return { flag: name, value: false, reason: 'UNKNOWN_FLAG', errorMessage: `no feature flag named "${name}"` };
  if (!modeState) {
    return { flag: name, value: flag.safeDefault, reason: 'UNAVAILABLE', errorMessage: reasonIfUnavailable ?? 'operation mode unknown' };
  }
  const { mode } = modeState;
  const budgetLevel = modeState.budget?.level;
  const offAtBudget = (flag as FeatureFlag).offAtBudget;
  if (budgetLevel && offAtBudget?.includes(budgetLevel) && (flag.modeValues[mode] ?? flag.defaultValue)) {
    return { flag: name, value: false, reason: 'BUDGET', mode };
  }
  const modeValue = flag.modeValues[mode];
  if (modeValue !== undefined) return { flag: name, value: modeValue, reason: 'MODE_VALUE', mode };
  return { flag: name, value: flag.defaultValue, reason: 'DEFAULT', mode };
}

export function evaluateAllFlags(
  modeState: { mode: OperationMode; budget?: { level: BudgetLevel } } | undefined,
  reasonIfUnavailable?: string,
  registry: FeatureFlagRegistry = FEATURE_FLAGS,
): Record<string, FlagEvaluation> {
  const evaluations: Record<string, FlagEvaluation> = {};
  for (const name of Object.keys(registry)) evaluations[name] = evaluateFlag(name, modeState, reasonIfUnavailable, registry);
  return evaluations;
}

export function isFeatureEnabled(name: string, modeState: { mode: OperationMode } | undefined, registry: FeatureFlagRegistry = FEATURE_FLAGS): boolean {
  return evaluateFlag(name, modeState, undefined, registry).value;
}

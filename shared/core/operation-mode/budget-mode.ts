/**
 * The global budget's say in the operation mode. A spend monitor (the health-check activity) reports the
 * level of the tightest global limit; at `degraded` (BUDGET_DEGRADE_AT of a limit spent) the service
 * runs DEGRADED (light models); at `exhausted` it stays DEGRADED and remote providers are switched off
 * (the `enable_remote_providers` flag), so only the local analyzer runs. The window's reset brings the
 * level back to `ok`. No hysteresis: a budget is a number, not a flapping probe.
 */
import type { HealthMode } from './modes';
import { HEALTH_MODES } from './modes';

export const BUDGET_LEVELS = ['ok', 'degraded', 'exhausted'] as const;
export type BudgetLevel = (typeof BUDGET_LEVELS)[number];

export interface BudgetReport {
  level: BudgetLevel;
  /** What was measured, for the audit and the mode's reasons ("global day budget: 85 % of $10 spent"). */
  reason: string;
  /** ISO 8601: when the limiting window resets (absent at `ok`). */
  resetsAt?: string;
}

export const BUDGET_ACTOR = 'budget-monitor';

const MODE_AT_LEVEL: Record<BudgetLevel, HealthMode> = { ok: 'NORMAL', degraded: 'DEGRADED', exhausted: 'DEGRADED' };

/** The mode health and budget agree on: the more restrictive of the two. */
export function combinedMode(health: HealthMode, budget: BudgetReport | undefined): HealthMode {
  const fromBudget = MODE_AT_LEVEL[budget?.level ?? 'ok'];
  return HEALTH_MODES.indexOf(fromBudget) > HEALTH_MODES.indexOf(health) ? fromBudget : health;
}

export function validateBudgetReport(report: unknown): { ok: true; value: BudgetReport } | { ok: false; errors: { path: string; message: string }[] } {
  const candidate = report as Partial<BudgetReport> | null;
  const errors: { path: string; message: string }[] = [];
  if (!candidate || typeof candidate !== 'object') return { ok: false, errors: [{ path: '', message: 'must be an object' }] };
  if (!BUDGET_LEVELS.includes(candidate.level as BudgetLevel)) errors.push({ path: 'level', message: `must be one of ${BUDGET_LEVELS.join(', ')}` });
  if (typeof candidate.reason !== 'string' || candidate.reason.length === 0) errors.push({ path: 'reason', message: 'must be a non-empty string' });
  if (candidate.resetsAt !== undefined && Number.isNaN(Date.parse(String(candidate.resetsAt)))) errors.push({ path: 'resetsAt', message: 'must be an ISO 8601 time' });
  if (errors.length > 0) return { ok: false, errors };
  const value: BudgetReport = { level: candidate.level!, reason: candidate.reason! };
  if (candidate.resetsAt !== undefined) value.resetsAt = candidate.resetsAt;
  return { ok: true, value };
}

/**
 * The operation mode as a pure state machine over one plain value, which the entity workflow holds and
 * carries across continue-as-new. The effective mode is the active override's mode if there is one,
 * else the health mode from the hysteresis reducer. Health checks keep updating the health mode while
 * an override is active, so clearing or expiry hands control back to an up-to-date measurement.
 * An override pins the mode against health in every mode; for MAINTENANCE that is the whole point.
 * Invariant: without an override, `mode === health.mode`.
 */
import { appendAudit, type AuditEntry } from './audit';
import {
  DEFAULT_HYSTERESIS_CONFIG,
  initialHysteresisState,
  reduceHealthCheck,
  type HealthCheckResult,
  type HealthComponentResult,
  type HysteresisConfig,
  type HysteresisState,
} from './health-hysteresis';
import { DEFAULT_SEVERITY_BY_MODE, type DegradationReason, type OperationMode, type Severity } from './modes';
import { validateOverrideRequest, type ClearOverrideRequest, type OverrideError } from './override-request';
import type { TransitionCause } from './transitions';
import { BUDGET_ACTOR, combinedMode, type BudgetReport } from './budget-mode';

/** Audit actors for changes no person made. */
export const HEALTH_ACTOR = 'health-monitor';
export const EXPIRY_ACTOR = 'override-expiry';

export interface ActiveOverride {
  mode: OperationMode;
  reason: string;
  actor: string;
  severity: Severity;
  setAt: string;
  expiresAt?: string;
}

export interface OperationModeState {
  mode: OperationMode;
  modeSince: string;
  health: HysteresisState;
  override?: ActiveOverride;
  lastCheck?: { at: string; components: HealthComponentResult[] };
  audit: AuditEntry[];
  /** All transitions ever, including those that fell off the audit tail. */
  transitionCount: number;
  /** The global budget's latest level (absent until the spend monitor first reports). */
  budget?: BudgetReport;
}

export interface ModeChange {
  state: OperationModeState;
  /** Present when the effective mode changed; it is also the newest audit entry. */
  transition?: AuditEntry;
}

export type OverrideOutcome = ({ ok: true } & ModeChange) | { ok: false; errors: OverrideError[] };

export function initialOperationModeState(nowMs: number): OperationModeState {
  return { mode: 'NORMAL', modeSince: iso(nowMs), health: initialHysteresisState(), audit: [], transitionCount: 0 };
}

export function applyHealthCheck(
  state: OperationModeState,
  check: HealthCheckResult,
  nowMs: number,
  config: HysteresisConfig = DEFAULT_HYSTERESIS_CONFIG,
): ModeChange {
  const step = reduceHealthCheck(state.health, check, nowMs, config);
  const measured: OperationModeState = { ...state, health: step.next, lastCheck: { at: iso(nowMs), components: check.components } };
  if (state.override || !step.transition) return { state: measured };
  return moveTo(measured, combinedMode(step.transition.to, state.budget), { cause: 'health', actor: HEALTH_ACTOR, reason: step.transition.reason }, nowMs);
}

/** A global budget level from the spend monitor: the mode follows at once (no hysteresis), unless an override holds it. */
export function applyBudgetReport(state: OperationModeState, report: BudgetReport, nowMs: number): ModeChange {
  const measured: OperationModeState = { ...state, budget: report };
  if (state.override) return { state: measured };
  return moveTo(measured, combinedMode(state.health.mode, report), { cause: 'budget', actor: BUDGET_ACTOR, reason: report.reason }, nowMs);
}

/** `request` is wire data and is validated here; an invalid one leaves the state alone. */
export function applyOverride(state: OperationModeState, request: unknown, nowMs: number): OverrideOutcome {
  const validated = validateOverrideRequest(request, state, nowMs);
  if (!validated.ok) return validated;
  const { mode, reason, actor, severity, expiresAt } = validated.value;
  const override: ActiveOverride = { mode, reason, actor, severity: severity ?? DEFAULT_SEVERITY_BY_MODE[mode], setAt: iso(nowMs) };
  if (expiresAt !== undefined) override.expiresAt = expiresAt;
  return { ok: true, ...moveTo({ ...state, override }, mode, { cause: 'override', actor, reason }, nowMs) };
}

/** Hands control back to health. Clearing when no override is active changes nothing. */
export function clearOverride(state: OperationModeState, request: ClearOverrideRequest, nowMs: number): ModeChange {
  if (!state.override) return { state };
  const reason = request.reason ?? `override to ${state.override.mode} by ${state.override.actor} cleared`;
  return handBackToHealth(state, { cause: 'override-cleared', actor: request.actor, reason }, nowMs);
}

/** Hands control back to health if the active override has expired by `nowMs`; otherwise no change. */
export function expireOverride(state: OperationModeState, nowMs: number): ModeChange {
  const { override } = state;
  if (override?.expiresAt === undefined || nowMs < Date.parse(override.expiresAt)) return { state };
  const why = `override to ${override.mode} by ${override.actor} (${override.reason}) expired at ${override.expiresAt}`;
  return handBackToHealth(state, { cause: 'override-expired', actor: EXPIRY_ACTOR, reason: why }, nowMs);
}

export function overrideExpiresAtMs(state: OperationModeState): number | undefined {
  return state.override?.expiresAt === undefined ? undefined : Date.parse(state.override.expiresAt);
}

/** Why the system is in its mode: the override's reason, or what the latest health check found failing. */
export function degradationReasons(state: OperationModeState): DegradationReason[] {
  if (state.override) {
    const { actor, reason, severity } = state.override;
    return [{ component: `override:${actor}`, description: reason, severity }];
  }
  const budget: DegradationReason[] =
    state.budget && state.budget.level !== 'ok' ? [{ component: 'budget', description: state.budget.reason, severity: 'warning' }] : [];
  return budget.concat((state.lastCheck?.components ?? [])
    .filter((component) => !component.ok)
    .map((component) => ({
      component: component.name,
      description: component.message ?? 'health check failed',
      severity: component.critical ? 'critical' : 'warning',
    })));
}

interface Attribution {
  cause: TransitionCause;
  actor: string;
  reason: string;
}

function handBackToHealth(state: OperationModeState, attribution: Attribution, nowMs: number): ModeChange {
  const { override: _handedBack, ...withoutOverride } = state;
  return moveTo(withoutOverride, combinedMode(state.health.mode, state.budget), attribution, nowMs);
}

/** The one place the effective mode changes, so every transition gets exactly one audit entry. */
function moveTo(state: OperationModeState, to: OperationMode, attribution: Attribution, nowMs: number): ModeChange {
  if (state.mode === to) return { state };
  const entry: AuditEntry = { from: state.mode, to, ...attribution, at: iso(nowMs), checks: state.lastCheck?.components ?? [] };
  return {
    state: { ...state, mode: to, modeSince: entry.at, audit: appendAudit(state.audit, entry), transitionCount: state.transitionCount + 1 },
    transition: entry,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

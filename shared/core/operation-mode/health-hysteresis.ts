/**
 * Health hysteresis: turns a stream of health checks into a health mode that does not flap.
 *
 * Policy (quick to degrade, slow to recover):
 * - A check points at EMERGENCY when a critical component fails, at DEGRADED when only optional ones
 *   fail, at NORMAL when everything passes.
 * - Escalation needs `failuresToDegrade` consecutive checks pointing at that severity or worse, and no
 *   dwell time: a real outage must be acted on at once.
 * - Recovery needs `passesToRecover` consecutive checks pointing below the current mode AND
 *   `minDwellMs` since the last transition, and goes down one step at a time (EMERGENCY → DEGRADED →
 *   NORMAL), so advanced features come back only after the system has looked healthy for a while.
 * A single probe flapping every 30 s can therefore cause at most one transition in any `minDwellMs`
 * (one escalation; recovering would need the dwell time), and a strictly alternating one causes none.
 */
import { z } from 'zod';
import { healthModeRank, type HealthMode } from './modes';

export const healthComponentSchema = z.object({
  name: z.string().trim().min(1),
  /** A failing critical component means EMERGENCY; a failing optional one means DEGRADED. */
  critical: z.boolean(),
  ok: z.boolean(),
  observed: z.unknown().optional(),
  message: z.string().optional(),
});
export type HealthComponentResult = z.infer<typeof healthComponentSchema>;

export const healthCheckResultSchema = z.object({ components: z.array(healthComponentSchema).min(1) });
export type HealthCheckResult = z.infer<typeof healthCheckResultSchema>;

export interface HealthCheckError {
  path: string;
  message: string;
}

/** Health reports are wire data: unknown fields are dropped, problems come back as data. */
export function validateHealthCheck(input: unknown): { ok: true; value: HealthCheckResult } | { ok: false; errors: HealthCheckError[] } {
  const parsed = healthCheckResultSchema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((issue) => ({ path: issue.path.join('.') || '(root)', message: issue.message })) };
}

export interface HysteresisConfig {
  failuresToDegrade: number;
  passesToRecover: number;
  minDwellMs: number;
}

export const DEFAULT_HYSTERESIS_CONFIG: Readonly<HysteresisConfig> = {
  failuresToDegrade: 3,
  passesToRecover: 3,
  minDwellMs: 5 * 60_000,
};

export const hysteresisConfigSchema = z
  .object({
    failuresToDegrade: z.number().int().min(1),
    passesToRecover: z.number().int().min(1),
    minDwellMs: z.number().int().min(0),
  })
  .partial();

/** Defaults for what `overrides` leaves out; throws on an invalid value, like any config loading. */
export function resolveHysteresisConfig(overrides: Partial<HysteresisConfig> = {}): HysteresisConfig {
  return { ...DEFAULT_HYSTERESIS_CONFIG, ...hysteresisConfigSchema.parse(overrides) };
}

export interface HysteresisState {
  mode: HealthMode;
  /** Consecutive checks pointing at DEGRADED or worse. */
  failingStreak: number;
  /** Consecutive checks pointing at EMERGENCY. */
  criticalStreak: number;
  /** Consecutive checks pointing below the current mode. */
  recoveryStreak: number;
  lastTransitionAtMs?: number;
}

export interface HealthTransition {
  from: HealthMode;
  to: HealthMode;
  cause: 'health';
  /** Human-readable: what the checks showed. */
  reason: string;
}

export interface HysteresisStep {
  next: HysteresisState;
  transition?: HealthTransition;
}

export function initialHysteresisState(): HysteresisState {
  return { mode: 'NORMAL', failingStreak: 0, criticalStreak: 0, recoveryStreak: 0 };
}

export function targetModeOf(check: HealthCheckResult): HealthMode {
  const failing = check.components.filter((component) => !component.ok);
  if (failing.some((component) => component.critical)) return 'EMERGENCY';
  return failing.length > 0 ? 'DEGRADED' : 'NORMAL';
}

export function failingComponentNames(check: HealthCheckResult): string[] {
  return check.components.filter((component) => !component.ok).map((component) => component.name);
}

const ONE_STEP_DOWN: Readonly<Record<HealthMode, HealthMode>> = { NORMAL: 'NORMAL', DEGRADED: 'NORMAL', EMERGENCY: 'DEGRADED' };

export function reduceHealthCheck(
  previous: HysteresisState,
  check: HealthCheckResult,
  nowMs: number,
  config: HysteresisConfig = DEFAULT_HYSTERESIS_CONFIG,
): HysteresisStep {
  const target = targetModeOf(check);
  const counted: HysteresisState = {
    ...previous,
    failingStreak: target === 'NORMAL' ? 0 : previous.failingStreak + 1,
    criticalStreak: target === 'EMERGENCY' ? previous.criticalStreak + 1 : 0,
    recoveryStreak: healthModeRank(target) < healthModeRank(previous.mode) ? previous.recoveryStreak + 1 : 0,
  };
  const failing = failingComponentNames(check).join(', ');

  if (previous.mode !== 'EMERGENCY' && counted.criticalStreak >= config.failuresToDegrade) {
    return transitionTo(counted, 'EMERGENCY', nowMs, `${counted.criticalStreak} consecutive checks with critical failures: ${failing}`);
  }
  if (previous.mode === 'NORMAL' && counted.failingStreak >= config.failuresToDegrade) {
    return transitionTo(counted, 'DEGRADED', nowMs, `${counted.failingStreak} consecutive checks with failures: ${failing}`);
  }
  const dwelt = previous.lastTransitionAtMs === undefined || nowMs - previous.lastTransitionAtMs >= config.minDwellMs;
  if (counted.recoveryStreak >= config.passesToRecover && dwelt) {
    const to = ONE_STEP_DOWN[previous.mode];
    const still = failing ? `; still failing: ${failing}` : '';
    return transitionTo(counted, to, nowMs, `${counted.recoveryStreak} consecutive checks better than ${previous.mode}${still}`);
  }
  return { next: counted };
}

function transitionTo(counted: HysteresisState, to: HealthMode, nowMs: number, reason: string): HysteresisStep {
  return {
    next: { ...counted, mode: to, recoveryStreak: 0, lastTransitionAtMs: nowMs },
    transition: { from: counted.mode, to, cause: 'health', reason },
  };
}

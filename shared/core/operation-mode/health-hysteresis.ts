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
import { healthModeRank, type HealthMode } from './modes';
import { isNonEmptyText } from './wire-checks';

export interface HealthComponentResult {
  name: string;
  /** A failing critical component means EMERGENCY; a failing optional one means DEGRADED. */
  critical: boolean;
  ok: boolean;
  observed?: unknown;
  message?: string;
}

export interface HealthCheckResult {
  components: HealthComponentResult[];
}

export interface HealthCheckError {
  path: string;
  message: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function validateComponent(raw: unknown, path: string, errors: HealthCheckError[]): HealthComponentResult | undefined {
  if (!isRecord(raw)) {
    errors.push({ path, message: 'a component must be an object' });
    return undefined;
  }
  const before = errors.length;
  if (!isNonEmptyText(raw.name)) errors.push({ path: `${path}.name`, message: 'name must be a non-empty string' });
  if (typeof raw.critical !== 'boolean') errors.push({ path: `${path}.critical`, message: 'critical must be a boolean' });
  if (typeof raw.ok !== 'boolean') errors.push({ path: `${path}.ok`, message: 'ok must be a boolean' });
  if (raw.message !== undefined && typeof raw.message !== 'string') errors.push({ path: `${path}.message`, message: 'message must be a string' });
  if (errors.length > before) return undefined;
  return {
    name: (raw.name as string).trim(),
    critical: raw.critical as boolean,
    ok: raw.ok as boolean,
    ...('observed' in raw && { observed: raw.observed }),
    ...(raw.message !== undefined && { message: raw.message as string }),
  };
}

/** Health reports are wire data: unknown fields are dropped, problems come back as data. */
export function validateHealthCheck(input: unknown): { ok: true; value: HealthCheckResult } | { ok: false; errors: HealthCheckError[] } {
  if (!isRecord(input)) return { ok: false, errors: [{ path: '(root)', message: 'a health check must be an object' }] };
  if (!Array.isArray(input.components)) return { ok: false, errors: [{ path: 'components', message: 'components must be an array' }] };
  if (input.components.length === 0) return { ok: false, errors: [{ path: 'components', message: 'components must list at least one component' }] };
  const errors: HealthCheckError[] = [];
  const components = input.components.map((component, index) => validateComponent(component, `components.${index}`, errors));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { components: components as HealthComponentResult[] } };
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

const HYSTERESIS_MINIMUMS: Readonly<HysteresisConfig> = { failuresToDegrade: 1, passesToRecover: 1, minDwellMs: 0 };

/** Defaults for what `overrides` leaves out; throws on an invalid value, like any config loading. */
export function resolveHysteresisConfig(overrides: Partial<HysteresisConfig> = {}): HysteresisConfig {
  const resolved = { ...DEFAULT_HYSTERESIS_CONFIG };
  for (const key of Object.keys(HYSTERESIS_MINIMUMS) as (keyof HysteresisConfig)[]) {
    const value: unknown = overrides[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < HYSTERESIS_MINIMUMS[key]) {
      throw new Error(`hysteresis ${key} must be an integer of at least ${HYSTERESIS_MINIMUMS[key]} (got ${JSON.stringify(value)})`);
    }
    resolved[key] = value;
  }
  return resolved;
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

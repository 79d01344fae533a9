/**
 * Operation modes and severities. This folder is the pure core of the operation-mode entity workflow:
 * the workflow bundle imports it, so nothing here may touch Node built-ins, I/O, clocks or randomness.
 * Time always comes in as a parameter (epoch milliseconds).
 */
import { isOneOf } from './wire-checks';

/** Ordered from least to most restrictive; MAINTENANCE is only ever entered by hand. */
export const OPERATION_MODES = ['NORMAL', 'DEGRADED', 'EMERGENCY', 'MAINTENANCE'] as const;
export type OperationMode = (typeof OPERATION_MODES)[number];
export const isOperationMode = (value: unknown): value is OperationMode => isOneOf(OPERATION_MODES, value);

/** The modes automatic health checks can produce. */
export const HEALTH_MODES = ['NORMAL', 'DEGRADED', 'EMERGENCY'] as const satisfies readonly OperationMode[];
export type HealthMode = (typeof HEALTH_MODES)[number];

export function healthModeRank(mode: HealthMode): number {
  return HEALTH_MODES.indexOf(mode);
}

/** The seed's integer severities 1..3, named: 2 is "degraded", 3 is "critical". */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const isSeverity = (value: unknown): value is Severity => isOneOf(SEVERITIES, value);

export interface DegradationReason {
  component: string;
  description: string;
  severity: Severity;
}

export const DEFAULT_SEVERITY_BY_MODE: Readonly<Record<OperationMode, Severity>> = {
  NORMAL: 'info',
  DEGRADED: 'warning',
  EMERGENCY: 'critical',
  // Planned work: features are off, but nothing is broken.
  MAINTENANCE: 'info',
};

/**
 * Health in the `application/health+json` shape (draft-inadarei-api-health-check): one list of checks
 * per component, an overall status from them. Pure: probes run elsewhere and hand their results in.
 */
import type { HealthComponentResult } from '../../core/operation-mode/health-hysteresis';

export type HealthStatus = 'pass' | 'warn' | 'fail';

export interface HealthCheck {
  status: HealthStatus;
  /** Critical components fail the service; optional ones only warn (it keeps serving, degraded). */
  critical: boolean;
  componentType?: string;
  observedValue?: unknown;
  observedUnit?: string;
  output?: string;
  time: string;
}

export interface HealthReport {
  status: HealthStatus;
  description: string;
  checks: Record<string, HealthCheck[]>;
  [extra: string]: unknown;
}

export function overallStatus(checks: Record<string, HealthCheck[]>): HealthStatus {
  const all = Object.values(checks).flat();
  if (all.some((check) => check.critical && check.status === 'fail')) return 'fail';
  if (all.some((check) => check.status !== 'pass')) return 'warn';
  return 'pass';
}

export function healthReport(checks: Record<string, HealthCheck[]>, extra: Record<string, unknown> = {}): HealthReport {
  return { status: overallStatus(checks), description: 'LLM document analysis service', ...extra, checks };
}

/**
 * The same checks as operation-mode input: a component passes only on `pass`. A warning (say Redis down,
 * a circuit open) counts as an optional component failing, which is what DEGRADED means.
 */
export function toHealthComponents(checks: Record<string, HealthCheck[]>): HealthComponentResult[] {
  return Object.entries(checks).flatMap(([name, list]) =>
    list.map((check) => ({
      name,
      critical: check.critical,
      ok: check.status === 'pass',
      ...(check.observedValue !== undefined && { observed: check.observedValue }),
      ...(check.output !== undefined && { message: check.output }),
    })),
  );
}

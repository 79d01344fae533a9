/** The audit trail: exactly one entry per change of the effective mode, the newest AUDIT_LIMIT kept. */
import type { HealthComponentResult } from './health-hysteresis';
import type { OperationMode } from './modes';
import type { TransitionCause } from './transitions';

export const AUDIT_LIMIT = 100;

export interface AuditEntry {
  from: OperationMode;
  to: OperationMode;
  cause: TransitionCause;
  actor: string;
  reason: string;
  /** ISO 8601. */
  at: string;
  /** The latest health check's components when the transition happened. */
  checks: HealthComponentResult[];
}

export function appendAudit(audit: readonly AuditEntry[], entry: AuditEntry, limit = AUDIT_LIMIT): AuditEntry[] {
  const appended = [...audit, entry];
  return appended.length > limit ? appended.slice(appended.length - limit) : appended;
}

/**
 * Validation of manual override requests. Requests come from outside (API, CLI, other workflows), so
 * they arrive as `unknown`; every problem is reported at once as data, nothing throws.
 */
import { isOperationMode, isSeverity, OPERATION_MODES, SEVERITIES, type OperationMode, type Severity } from './modes';
import { isTransitionAllowed } from './transitions';
import { isIsoTimestampWithOffset, isNonEmptyText } from './wire-checks';

export interface OverrideRequest {
  mode: OperationMode;
  reason: string;
  actor: string;
  /** Defaults to the mode's usual severity (DEFAULT_SEVERITY_BY_MODE). */
  severity?: Severity;
  /** ISO 8601 with offset; without it the override stays until cleared. */
  expiresAt?: string;
}

export interface ClearOverrideRequest {
  actor: string;
  reason?: string;
}

export const OVERRIDE_ERROR_CODES = [
  'INVALID_REQUEST',
  'INVALID_MODE',
  'INVALID_SEVERITY',
  'EMPTY_REASON',
  'EMPTY_ACTOR',
  'INVALID_EXPIRY',
  'EXPIRY_IN_PAST',
  'TRANSITION_NOT_ALLOWED',
] as const;
export type OverrideErrorCode = (typeof OVERRIDE_ERROR_CODES)[number];

export interface OverrideError {
  code: OverrideErrorCode;
  field?: keyof OverrideRequest;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: OverrideError[] };

/** `current` is the effective mode the override would replace. */
export function validateOverrideRequest(input: unknown, current: { mode: OperationMode }, nowMs: number): Validated<OverrideRequest> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ code: 'INVALID_REQUEST', message: 'an override request must be an object' }] };
  }
  const raw = input as Record<string, unknown>;
  const errors: OverrideError[] = [];
  const mode = isOperationMode(raw.mode) ? raw.mode : undefined;
  if (!mode) errors.push({ code: 'INVALID_MODE', field: 'mode', message: `mode must be one of ${OPERATION_MODES.join(', ')} (got ${JSON.stringify(raw.mode)})` });
  if (raw.severity !== undefined && !isSeverity(raw.severity)) {
    errors.push({ code: 'INVALID_SEVERITY', field: 'severity', message: `severity must be one of ${SEVERITIES.join(', ')} (got ${JSON.stringify(raw.severity)})` });
  }
  if (!isNonEmptyText(raw.reason)) errors.push({ code: 'EMPTY_REASON', field: 'reason', message: 'reason must be a non-empty string' });
  if (!isNonEmptyText(raw.actor)) errors.push({ code: 'EMPTY_ACTOR', field: 'actor', message: 'actor must be a non-empty string' });
  if (raw.expiresAt !== undefined) {
    if (!isIsoTimestampWithOffset(raw.expiresAt)) {
      errors.push({ code: 'INVALID_EXPIRY', field: 'expiresAt', message: `expiresAt must be an ISO 8601 timestamp with offset (got ${JSON.stringify(raw.expiresAt)})` });
    } else if (Date.parse(raw.expiresAt as string) <= nowMs) {
      errors.push({ code: 'EXPIRY_IN_PAST', field: 'expiresAt', message: `expiresAt ${raw.expiresAt as string} is not in the future` });
    }
  }
  if (mode && !isTransitionAllowed('override', current.mode, mode)) {
    errors.push({ code: 'TRANSITION_NOT_ALLOWED', field: 'mode', message: `an override may not go from ${current.mode} to ${mode}` });
  }
  if (errors.length > 0 || !mode) return { ok: false, errors };
  const request: OverrideRequest = { mode, reason: (raw.reason as string).trim(), actor: (raw.actor as string).trim() };
  if (raw.severity !== undefined) request.severity = raw.severity as Severity;
  if (raw.expiresAt !== undefined) request.expiresAt = raw.expiresAt as string;
  return { ok: true, value: request };
}

export function validateClearOverrideRequest(input: unknown): Validated<ClearOverrideRequest> {
  const raw = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  if (!isNonEmptyText(raw.actor)) {
    return { ok: false, errors: [{ code: 'EMPTY_ACTOR', field: 'actor', message: 'actor must be a non-empty string' }] };
  }
  const request: ClearOverrideRequest = { actor: (raw.actor as string).trim() };
  if (typeof raw.reason === 'string' && raw.reason.trim()) request.reason = raw.reason.trim();
  return { ok: true, value: request };
}

export function describeOverrideErrors(errors: readonly OverrideError[]): string {
  return errors.map((error) => `${error.code}: ${error.message}`).join('; ');
}

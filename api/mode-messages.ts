import type { OperationModeView } from '../shared/core/operation-mode/view';
import { HttpError } from './errors';

/** "operation mode EMERGENCY (temporal:connection: …)": the mode and why, for 503 messages. */
export function modeUnavailableReason(view: OperationModeView | undefined, unavailable: string | undefined): string {
  if (!view) return unavailable ?? 'operation mode unknown';
  const why = view.override ? `set by ${view.override.actor}: ${view.override.reason}` : view.reasons.map((reason) => `${reason.component}: ${reason.description}`).join('; ');
  return `operation mode ${view.mode}${why ? ` (${why})` : ''}`;
}

/** The 503 for work the operation mode has switched off; Retry-After is the next health check. */
export function analysisDisabled(what: string, view: OperationModeView | undefined, unavailable: string | undefined, retryAfterSeconds: number): HttpError {
  return new HttpError(503, 'analysis_disabled', `${what}: ${modeUnavailableReason(view, unavailable)}`, undefined, {
    'retry-after': String(retryAfterSeconds),
  });
}

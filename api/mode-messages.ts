import type { OperationModeView } from '../shared/operation-mode/view';

/** "operation mode EMERGENCY (temporal:connection: …)": the mode and why, for 503 messages. */
export function modeUnavailableReason(view: OperationModeView | undefined, unavailable: string | undefined): string {
  if (!view) return unavailable ?? 'operation mode unknown';
  const why = view.override ? `set by ${view.override.actor}: ${view.override.reason}` : view.reasons.map((reason) => `${reason.component}: ${reason.description}`).join('; ');
  return `operation mode ${view.mode}${why ? ` (${why})` : ''}`;
}

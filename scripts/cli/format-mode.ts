/** The operation mode as text: what it is, why, and how it got there. */
import type { AuditEntry, ModeChangeAnswer, OperationModeAnswer } from './api-types';

export const AUDIT_ENTRIES_SHOWN = 5;

export function renderMode(view: OperationModeAnswer): string {
  const label = (name: string) => name.padEnd(10);
  const { override } = view;
  const lines = [
    `${label('mode')}${view.mode} since ${view.modeSince}${view.healthMode === view.mode ? '' : ` (health checks say ${view.healthMode})`}`,
    `${label('override')}${
      override
        ? `${override.mode} by ${override.actor} (${override.severity}): ${override.reason} · set ${override.setAt}${override.expiresAt ? ` · expires ${override.expiresAt}` : ''}`
        : 'none'
    }`,
    ...linesOrNone(
      view.reasons.map((reason) => `${reason.component} (${reason.severity}): ${reason.description}`),
      label('reasons'),
    ),
    `${label('flags')}${Object.values(view.flags)
      .map((flag) => `${flag.flag} ${flag.value ? 'on' : 'off'}`)
      .join(', ') || 'none'}`,
  ];
  if (view.audit) {
    const shown = view.audit.slice(-AUDIT_ENTRIES_SHOWN).reverse();
    const total = view.transitionCount ?? view.audit.length;
    lines.push(`${label('audit')}${shown.length ? `latest ${shown.length} of ${total} transitions, newest first` : 'no transitions yet'}`);
    lines.push(...shown.map((entry) => `  ${auditLine(entry)}`));
  }
  return lines.join('\n');
}

/** After `mode set` / `mode clear`: the transitions it caused, then the mode as it now is. */
export function renderModeChange(answer: ModeChangeAnswer): string {
  const change = answer.transitions.length
    ? answer.transitions.map((entry) => `changed: ${entry.from} → ${entry.to}`)
    : [`mode stays ${answer.mode}`];
  return [...change, renderMode(answer)].join('\n');
}

export function auditLine(entry: AuditEntry): string {
  return `${entry.at}  ${entry.from} → ${entry.to}  ${entry.cause} by ${entry.actor}: ${entry.reason}`;
}

function linesOrNone(items: string[], firstLabel: string): string[] {
  if (!items.length) return [`${firstLabel}none`];
  return items.map((item, index) => `${index === 0 ? firstLabel : ' '.repeat(firstLabel.length)}${item}`);
}

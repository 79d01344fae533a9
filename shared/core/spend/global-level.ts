/**
 * The global budget's level for the operation mode, from the global ledgers' settled spend: `degraded`
 * once any limit is `degradeAt` spent, `exhausted` once what is left of any limit cannot hold even the
 * smallest request the service can send (reservations would refuse every call anyway), `ok` otherwise.
 */
import type { BudgetReport } from '../operation-mode/budget-mode';
import { spentRatio, type Amount, type LedgerLimits } from './budget';
import { usdOf } from './prices';

export interface GlobalStanding {
  ledger: LedgerLimits;
  spent: Amount;
}

const describeLimit = (limit: Partial<Amount>) =>
  [limit.nanoUsd !== undefined ? `$${usdOf(limit.nanoUsd)}` : undefined, limit.tokens !== undefined ? `${limit.tokens} tokens` : undefined].filter(Boolean).join(' / ');

export function globalBudgetLevel(standings: GlobalStanding[], degradeAt: number, smallestRequest: Amount): BudgetReport {
  let worst: { level: 'degraded' | 'exhausted'; standing: GlobalStanding; ratio: number } | undefined;
  for (const standing of standings) {
    const { limit } = standing.ledger;
    if (limit.tokens === undefined && limit.nanoUsd === undefined) continue;
    const ratio = spentRatio(standing.spent, limit);
    const noRoom = (['tokens', 'nanoUsd'] as const).some((unit) => limit[unit] !== undefined && limit[unit]! - standing.spent[unit] < smallestRequest[unit]);
    const level = noRoom || ratio >= 1 ? 'exhausted' : ratio >= degradeAt ? 'degraded' : undefined;
    if (!level) continue;
    if (!worst || (level === 'exhausted' && worst.level === 'degraded') || (level === worst.level && ratio > worst.ratio)) worst = { level, standing, ratio };
  }
  if (!worst) return { level: 'ok', reason: 'global budget within its limits' };
  const { ledger } = worst.standing;
  const what = worst.level === 'exhausted' ? 'exhausted: local analyzer only' : `over ${Math.round(degradeAt * 100)} %: light models`;
  return {
    level: worst.level,
    reason: `global ${ledger.window} budget ${what} (${Math.floor(worst.ratio * 100)} % of ${describeLimit(ledger.limit)} spent); resets ${new Date(ledger.resetsAtMs).toISOString()}`,
    resetsAt: new Date(ledger.resetsAtMs).toISOString(),
  };
}

import { Router } from 'express';
import type { BudgetStore, LedgerReport } from '../../shared/adapters/budget-store';
import type { AppConfig } from '../../shared/config';
import { GLOBAL_SCOPE, ledgersFor, windowOf, type Amount, type LedgerLimits } from '../../shared/core/spend/budget';
import { usdOf } from '../../shared/core/spend/prices';
import { principalIdOf, principalOf, type Principal } from '../auth';

export interface AmountView {
  tokens: number;
  nanoUsd: number;
  usd: number;
}

export interface LedgerUsage {
  scope: string;
  window: string;
  /** `day:2026-11-30`: the window this ledger counts. */
  windowId: string;
  resetsAt: string;
  spent: AmountView;
  /** Worst cases held by provider requests in flight. */
  reserved: AmountView & { count: number };
  /** Absent fields: no limit in that unit. */
  limit: { tokens?: number; nanoUsd?: number; usd?: number };
}

const amountView = (amount: Amount): AmountView => ({ ...amount, usd: usdOf(amount.nanoUsd) });

function usageOf(ledger: LedgerLimits, report: LedgerReport): LedgerUsage {
  const [window, ...rest] = ledger.key.slice(ledger.key.indexOf('|') + 1).split(':');
  return {
    scope: ledger.scope,
    window: window!,
    windowId: `${window}:${rest.join(':')}`,
    resetsAt: new Date(ledger.resetsAtMs).toISOString(),
    spent: amountView(report.spent),
    reserved: { ...amountView(report.reserved), count: report.reservations },
    limit: { ...ledger.limit, ...(ledger.limit.nanoUsd !== undefined && { usd: usdOf(ledger.limit.nanoUsd) }) },
  };
}

/**
 * GET /api/usage: the caller's spend, reservations in flight and limits per window; an admin key also
 * sees the global ledgers and every other key's current windows.
 */
export function usageRouter({ config, budgets }: { config: AppConfig; budgets: BudgetStore }): Router {
  const router = Router();
  const limitsOf = (principal: Principal | undefined) => principal?.budget?.limits ?? [];

  router.get('/', async (_req, res) => {
    const principal = principalOf(res);
    const nowMs = Date.now();
    const own = principal ? ledgersFor([{ scope: principal.id, limits: limitsOf(principal) }], nowMs) : [];
    const global = principal?.admin ? ledgersFor([{ scope: GLOBAL_SCOPE, limits: config.spend.globalLimits }], nowMs) : [];
    const known = [...own, ...global];
    const reports = await budgets.read(known.map((ledger) => ledger.key));
    const ledgers = known.map((ledger, index) => usageOf(ledger, reports[index]!));
    if (principal?.admin) {
      const limitsByScope = new Map(config.spend.clientBudgets.map((entry) => [principalIdOf(entry.apiKey), entry.limits]));
      const windows = [...new Set(['day', 'month', ...config.spend.clientBudgets.flatMap((entry) => entry.limits.map((limit) => limit.window))])] as const;
      const windowIds = windows.map((window) => windowOf(window as Parameters<typeof windowOf>[0], nowMs).id);
      for (const report of await budgets.listWindows(windowIds)) {
        if (known.some((ledger) => ledger.key === report.key)) continue;
        const scope = report.key.slice(0, report.key.indexOf('|'));
        const window = report.key.slice(report.key.indexOf('|') + 1).split(':')[0] as Parameters<typeof windowOf>[0];
        const ledger = ledgersFor([{ scope, limits: limitsByScope.get(scope) ?? [] }], nowMs).find((candidate) => candidate.key === report.key);
        ledgers.push(usageOf(ledger ?? { key: report.key, scope, window, resetsAtMs: windowOf(window, nowMs).resetsAtMs, limit: {} }, report));
      }
    }
    res.json({ scope: principal?.id ?? 'anonymous', admin: principal?.admin ?? false, ledgers });
  });

  return router;
}

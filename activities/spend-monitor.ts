/**
 * The spend monitor, run with every health check: it reads the global ledgers and tells the
 * operation-mode workflow when the global budget's level changes (degraded, exhausted, back to ok at
 * the window's reset).
 */
import type { BudgetStore } from '../shared/adapters/budget-store';
import type { OperationModeClient } from '../shared/adapters/operation-mode-client';
import type { AppConfig } from '../shared/config';
import type { BudgetReport } from '../shared/core/operation-mode/budget-mode';
import { isRemoteProvider } from '../shared/core/providers/plan';
import { buildAnalysisPrompt } from '../shared/core/providers/prompt';
import { GLOBAL_SCOPE, ledgersFor, promptTokensUpperBound, worstCaseOf, type Amount } from '../shared/core/spend/budget';
import { globalBudgetLevel } from '../shared/core/spend/global-level';
import { priceOf } from '../shared/core/spend/prices';

/** The least any request of this deployment reserves: an empty document, one answer token, the cheapest model in the chain. */
export function smallestRequest(config: AppConfig): Amount {
  const prompt = buildAnalysisPrompt('', 'full');
  const promptTokens = promptTokensUpperBound([prompt.system, ...prompt.messages.map((message) => message.content)]);
  const candidates = config.providers.order
    .filter(isRemoteProvider)
    .flatMap((provider) => Object.values(config.providers[provider].models).map((model) => worstCaseOf(promptTokens, 1, priceOf(config.spend.prices, provider, model))));
  if (candidates.length === 0) return { tokens: promptTokens + 1, nanoUsd: 0 };
  return { tokens: Math.min(...candidates.map((amount) => amount.tokens)), nanoUsd: Math.min(...candidates.map((amount) => amount.nanoUsd)) };
}

export async function currentGlobalLevel(config: AppConfig, budgets: BudgetStore, nowMs = Date.now()): Promise<BudgetReport> {
  const ledgers = ledgersFor([{ scope: GLOBAL_SCOPE, limits: config.spend.globalLimits }], nowMs);
  const reports = await budgets.read(ledgers.map((ledger) => ledger.key));
  return globalBudgetLevel(
    ledgers.map((ledger, index) => ({ ledger, spent: reports[index]!.spent })),
    config.spend.degradeAt,
    smallestRequest(config),
  );
}

/** Reports the level when it differs from what the mode workflow last heard; the level, or undefined without global limits. */
export async function reportGlobalBudget(config: AppConfig, budgets: BudgetStore, modes: OperationModeClient): Promise<BudgetReport | undefined> {
  if (config.spend.globalLimits.length === 0) return undefined;
  const report = await currentGlobalLevel(config, budgets);
  const { view } = await modes.read();
  if (view?.budget?.level !== report.level) await modes.reportBudget(report);
  return report;
}

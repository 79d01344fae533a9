/**
 * The API's side of spend control: what a request may cost at worst, how the caller's budget stands,
 * the job options that carry its budget to the workers, and the refusals of the admission decision as HTTP errors.
 */
import type { BudgetStore } from '../shared/adapters/budget-store';
import type { AppConfig } from '../shared/config';
import type { AdmissionDecision, ClientLedgerStanding } from '../shared/core/admission';
import type { AnalyzeDocumentOptions } from '../shared/core/job-types';
import type { OperationModeView } from '../shared/core/operation-mode/view';
import type { ModelTier } from '../shared/core/providers/catalog';
import { isRemoteProvider, planProviderChain, type ProviderStep } from '../shared/core/providers/plan';
import { buildAnalysisPrompt } from '../shared/core/providers/prompt';
import { isBatchProvider } from '../shared/core/providers/batch-route';
import { batchWorstCaseOf } from '../shared/core/spend/batch-spend';
import { ledgersFor, promptTokensUpperBound, worstCaseOf, ZERO, type Amount } from '../shared/core/spend/budget';
import { priceOf } from '../shared/core/spend/prices';
import type { AnalysisType } from '../shared/core/job-types';
import type { Principal } from './auth';
import { HttpError } from './errors';
import { analysisDisabled } from './mode-messages';

/**
 * The first remote call of a job on this content: what the client's budget must be able to hold. For a
 * deferred job that is its batch item, at the batch price of the first provider with a batch API.
 */
export function firstCallWorstCase(config: AppConfig, content: string, analysisType: AnalysisType, tier: ModelTier, maxTokens?: number, deferred = false): Amount {
  const batchProvider = deferred ? config.providers.order.find(isBatchProvider) : undefined;
  const provider = batchProvider ?? config.providers.order.find(isRemoteProvider);
  if (!provider) return ZERO;
  const settings = config.providers[provider];
  const prompt = buildAnalysisPrompt(content, analysisType);
  const promptTokens = promptTokensUpperBound([prompt.system, ...prompt.messages.map((message) => message.content)]);
  const price = priceOf(config.spend.prices, provider, settings.models[tier]);
  return (batchProvider ? batchWorstCaseOf : worstCaseOf)(promptTokens, Math.min(settings.maxTokens, maxTokens ?? Infinity), price);
}

/** The caller's limited ledgers with their settled spend; undefined for a key without limits. */
export async function clientStanding(budgets: BudgetStore, principal: Principal | undefined, nowMs: number): Promise<ClientLedgerStanding[] | undefined> {
  if (!principal?.budget) return undefined;
  const ledgers = ledgersFor([{ scope: principal.id, limits: principal.budget.limits }], nowMs).filter((ledger) => Object.keys(ledger.limit).length > 0);
  const reports = await budgets.read(ledgers.map((ledger) => ledger.key));
  return ledgers.map((ledger, index) => ({ key: ledger.key, window: ledger.window, resetsAtMs: ledger.resetsAtMs, limit: ledger.limit, spent: reports[index]!.spent }));
}

/** Job options naming the caller's budget scope, so every provider request of the job is charged to it. */
export function budgetOption(principal: Principal | undefined): Pick<AnalyzeDocumentOptions, 'budget'> {
  return principal ? { budget: { scope: principal.id, limits: principal.budget?.limits ?? [] } } : {};
}

/** The local analyzer only: for a client over its budget with over=local (undefined when the chain has no `local`). */
export function localOnlyPlan(config: AppConfig): ProviderStep[] | undefined {
  const steps = planProviderChain(config).filter((step) => step.provider === 'local');
  return steps.length > 0 ? steps : undefined;
}

export function refusalError(decision: AdmissionDecision, view: OperationModeView | undefined, unavailable: string | undefined, retryAfterSeconds: number): HttpError {
  const refusal = decision.refusal!;
  if (refusal.kind === 'mode') return analysisDisabled(refusal.message, view, unavailable, retryAfterSeconds);
  return new HttpError(429, refusal.code, refusal.message, undefined, { 'retry-after': String(refusal.retryAfterSeconds) }, { budget: refusal.budget });
}

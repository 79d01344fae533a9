/**
 * The half-price route's activities: submit a provider batch, check it, collect and validate its answers,
 * cancel it. Each is one short exchange; the wait between them is a workflow timer, so no worker slot is
 * held while the provider works. Answers are validated like synchronous ones and stored in the cache.
 * Each item sent holds its worst case at the batch price in the budgets until the batch is settled.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { AnalysisCache } from '../shared/adapters/analysis-cache';
import { OperationModeClient } from '../shared/adapters/operation-mode-client';
import type { AppConfig } from '../shared/config';
import type { AnalysisResult } from '../shared/core/analysis-result';
import type { DocumentStore } from '../shared/adapters/documents/document-store';
import { FAILURE_TYPES } from '../shared/core/failure-types';
import type { AnalysisType } from '../shared/core/job-types';
import { evaluateFlag } from '../shared/core/operation-mode/feature-flags';
import type { BatchProviderName } from '../shared/core/providers/batch-route';
import type { ModelTier } from '../shared/core/providers/catalog';
import { parseAnalysisReply } from '../shared/core/providers/parse-analysis';
import { buildAnalysisPrompt } from '../shared/core/providers/prompt';
import { classifyProviderError, toApplicationFailure } from '../shared/core/resilience/classify-provider-error';
import type { BudgetStore } from '../shared/adapters/budget-store';
import { attemptSpendOf, type AttemptSpend } from '../shared/core/spend/attempt-spend';
import { batchChargeOf, batchSavingsOf, type BatchReservation, type BatchSavings } from '../shared/core/spend/batch-spend';
import { ZERO, type Amount, type BudgetLimit } from '../shared/core/spend/budget';
import { batchPriceOf, priceOf } from '../shared/core/spend/prices';
import { promptTokens } from '../shared/core/spend/usage';
import { createBatchClient, type BatchClient, type BatchItemRequest } from './providers/batch-clients';
import { nothingCharged, reserveBatchItems, settleBatch } from './providers/batch-budget';
import { answeredWithError } from './providers/budget-guard';
import { storeStepAnswer } from './store-step-answer';

export interface BatchItemRef {
  customId: string;
  documentId: string;
  /** Where a valid answer is stored (the item's analysis cache key). */
  cacheKey?: string;
}

export interface SubmitAnalysisBatchRequest {
  provider: BatchProviderName;
  analysisType: AnalysisType;
  tier: ModelTier;
  maxTokens?: number;
  items: BatchItemRef[];
  /** Reserve each item in the budgets before sending it (absent in runs started before BATCH_BUDGET_PATCH). */
  reserve?: { client?: { scope: string; limits: BudgetLimit[] }; ttlMs: number };
}

export interface SubmittedAnalysisBatch {
  batchId: string;
  model: string;
  tier: ModelTier;
  submittedAt: number;
  /** Items whose document no longer exists: not sent. */
  missing: string[];
  /** Items the budget could not hold: not sent. */
  refused?: { customId: string; message: string }[];
  /** What the items sent hold in the budgets until the batch is settled. */
  reservation?: BatchReservation;
}

/** What the provider's report of an item costs the budgets (at the batch price), and saved against the sync price. */
interface ItemCharge {
  charge?: Amount;
  savings?: BatchSavings;
}

export type BatchItemOutcome =
  | ({ customId: string; ok: true; result: AnalysisResult } & ItemCharge)
  | ({ customId: string; ok: false; errorType: string; message: string; inputTokens: number; outputTokens: number; attemptSpend?: AttemptSpend[] } & ItemCharge);

export function createProviderBatchActivities(deps: { config: AppConfig; documents: DocumentStore; cache: AnalysisCache; budgets: BudgetStore; modes?: OperationModeClient }) {
  const clients = new Map<BatchProviderName, BatchClient>();
  let modes: OperationModeClient | undefined;
  const clientFor = (provider: BatchProviderName) => {
    let client = clients.get(provider);
    if (!client) clients.set(provider, (client = createBatchClient(provider, deps.config.providers[provider])));
    return client;
  };
  /** A provider error as a typed failure; Temporal retries it by the activity's policy when it can help. */
  const calling = async <T>(provider: BatchProviderName, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      const classified = classifyProviderError(error);
      throw toApplicationFailure({ ...classified, message: `${provider} batch API: ${classified.message}` });
    }
  };

  return {
    async submitAnalysisBatch(request: SubmitAnalysisBatchRequest): Promise<SubmittedAnalysisBatch> {
      const context = Context.current();
      modes ??= deps.modes ?? new OperationModeClient(context.client, deps.config, 1_000);
      const { view, unavailable } = await modes.read();
      if (!evaluateFlag('enable_remote_providers', view, unavailable).value) {
        throw ApplicationFailure.nonRetryable(`remote providers are switched off in operation mode ${view?.mode}`, FAILURE_TYPES.remoteProvidersDisabled);
      }
      const tier = request.tier === 'advanced' && evaluateFlag('enable_advanced_llm_models', view, unavailable).value ? 'advanced' : 'light';
      const settings = deps.config.providers[request.provider];
      const model = settings.models[tier];
      const maxTokens = Math.min(settings.maxTokens, request.maxTokens ?? Infinity);
      const missing: string[] = [];
      let requests: BatchItemRequest[] = [];
      for (const item of request.items) {
        const document = await deps.documents.get(item.documentId);
        if (!document) missing.push(item.customId);
        else requests.push({ customId: item.customId, model, maxTokens, prompt: buildAnalysisPrompt(document.content, request.analysisType) });
      }
      let budgeted: Pick<SubmittedAnalysisBatch, 'refused' | 'reservation'> = {};
      if (request.reserve && requests.length > 0) {
        const price = priceOf(deps.config.spend.prices, request.provider, model);
        const { reservation, admitted, refused } = await reserveBatchItems({ store: deps.budgets, client: request.reserve.client, globalLimits: deps.config.spend.globalLimits, price, ttlMs: request.reserve.ttlMs }, requests);
        const held = new Set(admitted);
        requests = requests.filter((item) => held.has(item.customId));
        budgeted = { refused, ...(requests.length > 0 && { reservation }) };
      }
      if (requests.length === 0) return { batchId: '', model, tier, submittedAt: Date.now(), missing, ...budgeted };
      const { reservation } = budgeted;
      const batchId = await calling(request.provider, async () => {
        try {
          return await clientFor(request.provider).submit(requests);
        } catch (error) {
          // An error answer created no batch; a request given up on may have: its items stay charged at their worst case.
          if (reservation) await settleBatch(deps.budgets, reservation, answeredWithError(error) ? nothingCharged(reservation) : {}).catch(() => undefined);
          throw error;
        }
      });
      context.log.info('provider batch submitted', { provider: request.provider, batchId, items: requests.length, model, refused: budgeted.refused?.length ?? 0 });
      return { batchId, model, tier, submittedAt: Date.now(), missing, ...budgeted };
    },

    /** Ends the batch's reservations, once: each item at what the provider reported, the rest at their worst case. */
    async settleAnalysisBatch({ reservation, reported }: { reservation: BatchReservation; reported?: Record<string, Amount> }): Promise<void> {
      await settleBatch(deps.budgets, reservation, reported);
    },

    async checkAnalysisBatch({ provider, batchId }: { provider: BatchProviderName; batchId: string }): Promise<{ ended: boolean; status: string }> {
      return calling(provider, () => clientFor(provider).status(batchId));
    },

    async cancelAnalysisBatch({ provider, batchId }: { provider: BatchProviderName; batchId: string }): Promise<void> {
      await calling(provider, () => clientFor(provider).cancel(batchId));
    },

    /** Every item's outcome: a validated answer (stored in the cache), or why it has none; each with what it costs at the batch price. */
    async collectAnalysisBatch(request: { provider: BatchProviderName; batch: SubmittedAnalysisBatch; items: BatchItemRef[] }): Promise<BatchItemOutcome[]> {
      const { provider, batch } = request;
      const price = priceOf(deps.config.spend.prices, provider, batch.model);
      const answers = new Map((await calling(provider, () => clientFor(provider).results(batch.batchId))).map((answer) => [answer.customId, answer]));
      const outcomes: BatchItemOutcome[] = [];
      for (const item of request.items) {
        const answer = answers.get(item.customId);
        if (!answer) {
          // No charge named: the item settles at its worst case.
          outcomes.push({ customId: item.customId, ok: false, errorType: FAILURE_TYPES.batchItemExpired, message: `${provider} batch ${batch.batchId} has no result for ${item.customId}`, inputTokens: 0, outputTokens: 0 });
          continue;
        }
        if (!answer.ok) {
          // The providers bill no errored, expired or cancelled batch request.
          outcomes.push({ ...answer, inputTokens: 0, outputTokens: 0, charge: ZERO });
          continue;
        }
        const parsed = parseAnalysisReply(answer.text);
        const spend = attemptSpendOf(1, batch.model, parsed.ok ? 'success' : 'InvalidOutput', answer.usage, batchPriceOf(price));
        const charged = { charge: batchChargeOf(answer.usage, price), savings: batchSavingsOf(answer.usage, price) };
        if (!parsed.ok) {
          outcomes.push({ customId: item.customId, ok: false, errorType: 'InvalidOutput', message: `${provider} (${batch.model}) batch answer: ${parsed.problem}`, inputTokens: spend.inputTokens, outputTokens: spend.outputTokens, attemptSpend: [spend], ...charged });
          continue;
        }
        const result: AnalysisResult = {
          ...parsed.content,
          meta: {
            provider,
            model: batch.model,
            inputTokens: promptTokens(answer.usage),
            outputTokens: answer.usage.outputTokens,
            cacheReadTokens: answer.usage.cacheReadTokens,
            cacheWriteTokens: answer.usage.cacheWriteTokens,
            costNanoUsd: spend.costNanoUsd,
            attemptSpend: [spend],
            latencyMs: Date.now() - batch.submittedAt,
            cached: false,
            attempts: 1,
            tier: batch.tier,
          },
        };
        await storeStepAnswer(deps.cache, item.cacheKey, item.documentId, result);
        outcomes.push({ customId: item.customId, ok: true, result, ...charged });
      }
      return outcomes;
    },
  };
}

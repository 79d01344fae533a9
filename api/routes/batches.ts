import { Router } from 'express';
import { analysisKeyOf } from '../../shared/adapters/analysis-cache';
import type { DocumentStore } from '../../shared/adapters/documents/document-store';
import type { BudgetStore } from '../../shared/adapters/budget-store';
import type { AppConfig } from '../../shared/config';
import { decideAdmission } from '../../shared/core/admission';
import type { ModelTier } from '../../shared/core/providers/catalog';
import { principalOf } from '../auth';
import { budgetOption, clientStanding, firstCallWorstCase, localOnlyPlan, refusalError } from '../spend';
import type { OperationModeClient } from '../../shared/adapters/operation-mode-client';
import type { TemporalGuard } from '../../shared/adapters/temporal/temporal-guard';
import { taskPriorityOf } from '../../shared/core/scheduling/task-priority';
import { BATCH_ID_PATTERN, type BatchService } from '../batches';
import { notFound } from '../errors';
import { analyzeBatchRequestSchema } from '../schemas';
import { parseBody, parseParam } from '../validation';

interface BatchRouterDeps {
  config: AppConfig;
  budgets: BudgetStore;
  documents: DocumentStore;
  batches: BatchService;
  modes: OperationModeClient;
  retryAfterSeconds: number;
  temporal: TemporalGuard;
}

export function batchRouter({ config, budgets, documents, batches, modes, retryAfterSeconds, temporal }: BatchRouterDeps): Router {
  const router = Router();

  router.post('/analyze/batch', async (req, res) => {
    const body = parseBody(analyzeBatchRequestSchema, req);
    const stored = await Promise.all(
      body.documentIds.map(async (id) => {
        const document = await documents.get(id);
        if (!document) throw notFound('document', id);
        return document;
      }),
    );

    const { view, unavailable } = await modes.read();
    const principal = principalOf(res);
    const nowMs = Date.now();
    const standing = await clientStanding(budgets, principal, nowMs);
    // The batch is admitted when its cheapest item's first call fits the client's budget; items the budget cannot hold later fall to the next provider.
    const deferred = body.deferred ?? config.deferred.batchesByDefault;
    const cheapest = (tier: ModelTier) =>
      stored
        .map((document) => firstCallWorstCase(config, document.content, body.analysisType, tier, body.maxTokens, deferred))
        .reduce((least, amount) => (amount.nanoUsd < least.nanoUsd || (amount.nanoUsd === least.nanoUsd && amount.tokens < least.tokens) ? amount : least));
    const decision = decideAdmission({
      entry: 'batch',
      mode: view,
      modeUnavailable: unavailable,
      localAvailable: localOnlyPlan(config) !== undefined,
      nowMs,
      ...(standing && { client: { overBudget: principal!.budget!.overBudget, ledgers: standing, worstCase: { advanced: cheapest('advanced'), light: cheapest('light') } } }),
    });
    if (!decision.admitted) throw refusalError(decision, view, unavailable, retryAfterSeconds);
    const { tier } = decision;
    const localPlan = decision.localOnlyBecause === 'client-budget' ? localOnlyPlan(config) : undefined;
    const batch = await temporal.run(() => batches.start({
      items: stored.map(({ id, contentSha256 }) => ({
        documentId: id,
        ...(!localPlan && { cacheKey: analysisKeyOf({ contentSha256, analysisType: body.analysisType, tier, maxTokens: body.maxTokens }) }),
      })),
      analysisType: body.analysisType,
      options: { tier, ...(body.maxTokens !== undefined && { maxTokens: body.maxTokens }), ...budgetOption(principal) },
      concurrency: body.concurrency,
      ...(localPlan && { plan: localPlan }),
    }, { priority: taskPriorityOf(body.priority, principal?.id ?? 'local'), ...(localPlan ? { deferred: false } : body.deferred !== undefined && { deferred: body.deferred }) }));
    res.status(202).location(batch.links.self).json(batch);
  });

  router.get('/batches/:batchId', async (req, res) => {
    const batchId = parseParam(BATCH_ID_PATTERN, req.params.batchId, 'batchId');
    const batch = await temporal.run(() => batches.read(batchId));
    if (!batch) throw notFound('batch', batchId);
    res.json(batch);
  });

  return router;
}

import { Router } from 'express';
import { analysisKeyOf } from '../../shared/adapters/analysis-cache';
import type { DocumentStore } from '../../shared/adapters/documents/document-store';
import { evaluateFlag } from '../../shared/core/operation-mode/feature-flags';
import type { OperationModeClient } from '../../shared/adapters/operation-mode-client';
import { taskPriorityOf } from '../../shared/core/scheduling/task-priority';
import { principalOf } from '../auth';
import { BATCH_ID_PATTERN, type BatchService } from '../batches';
import { notFound } from '../errors';
import { analysisDisabled } from '../mode-messages';
import { analyzeBatchRequestSchema } from '../schemas';
import { parseBody, parseParam } from '../validation';

interface BatchRouterDeps {
  documents: DocumentStore;
  batches: BatchService;
  modes: OperationModeClient;
  retryAfterSeconds: number;
}

export function batchRouter({ documents, batches, modes, retryAfterSeconds }: BatchRouterDeps): Router {
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
    for (const flag of ['enable_document_analysis', 'enable_batch_analysis'] as const) {
      if (!evaluateFlag(flag, view, unavailable).value) {
        throw analysisDisabled(`${flag} is off`, view, unavailable, retryAfterSeconds);
      }
    }
    const tier = evaluateFlag('enable_advanced_llm_models', view, unavailable).value ? 'advanced' : 'light';
    const batch = await batches.start({
      items: stored.map(({ id, contentSha256 }) => ({
        documentId: id,
        cacheKey: analysisKeyOf({ contentSha256, analysisType: body.analysisType, tier, maxTokens: body.maxTokens }),
      })),
      analysisType: body.analysisType,
      options: { tier, ...(body.maxTokens !== undefined && { maxTokens: body.maxTokens }) },
      concurrency: body.concurrency,
    }, { priority: taskPriorityOf(body.priority, principalOf(res)?.id ?? 'local'), ...(body.deferred !== undefined && { deferred: body.deferred }) });
    res.status(202).location(batch.links.self).json(batch);
  });

  router.get('/batches/:batchId', async (req, res) => {
    const batchId = parseParam(BATCH_ID_PATTERN, req.params.batchId, 'batchId');
    const batch = await batches.read(batchId);
    if (!batch) throw notFound('batch', batchId);
    res.json(batch);
  });

  return router;
}

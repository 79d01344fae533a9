import { Router } from 'express';
import { analysisKeyOf, type AnalysisCache } from '../../shared/adapters/analysis-cache';
import type { ModelTier } from '../../shared/core/providers/catalog';
import { sha256Hex, type DocumentStore } from '../../shared/adapters/documents/document-store';
import { evaluateFlag } from '../../shared/core/operation-mode/feature-flags';
import type { OperationModeClient } from '../../shared/adapters/operation-mode-client';
import { taskPriorityOf } from '../../shared/core/scheduling/task-priority';
import { principalOf } from '../auth';
import { HttpError, notFound } from '../errors';
import { JOB_ID_PATTERN, type JobService } from '../jobs';
import { analysisDisabled } from '../mode-messages';
import { analyzeRequestSchema, listJobsQuerySchema, readJobQuerySchema } from '../schemas';
import { parseBody, parseParam, parseQuery } from '../validation';
import { jobEventsHandler } from './job-events';
import { assertContentFits } from './documents';

interface AnalysisRouterDeps {
  documents: DocumentStore;
  jobs: JobService;
  cache: AnalysisCache;
  modes: OperationModeClient;
  maxBytes: number;
  /** Told to clients in Retry-After while analysis is switched off: the next health check may change it. */
  retryAfterSeconds: number;
}

export function analysisRouter({ documents, jobs, cache, modes, maxBytes, retryAfterSeconds }: AnalysisRouterDeps): Router {
  const router = Router();

  router.post('/analyze', async (req, res) => {
    const body = parseBody(analyzeRequestSchema, req);
    let stored = body.documentId !== undefined ? await documents.get(body.documentId) : undefined;
    if (body.documentId !== undefined && !stored) throw notFound('document', body.documentId);
    if (body.content !== undefined) assertContentFits(body.content, maxBytes);
    const contentSha256 = stored?.contentSha256 ?? sha256Hex(body.content!);

    const { view, unavailable } = await modes.read();
    const analysisEnabled = evaluateFlag('enable_document_analysis', view, unavailable).value;
    const advancedEnabled = evaluateFlag('enable_advanced_llm_models', view, unavailable).value;
    const tier: ModelTier = advancedEnabled ? 'advanced' : 'light';
    const keyFor = (candidate: ModelTier) =>
      analysisKeyOf({ contentSha256, analysisType: body.analysisType, tier: candidate, maxTokens: body.maxTokens });

    // An advanced answer already paid for beats a light one, even while advanced models are off.
    const lookups: ModelTier[] = tier === 'advanced' ? ['advanced'] : ['advanced', 'light'];
    for (const candidate of lookups) {
      const cached = await cache.read(keyFor(candidate));
      if (cached) {
        res.status(200).json({ status: 'completed', cached: true, documentId: stored?.id ?? body.documentId, tokens: { input: 0, output: 0 }, result: cached });
        return;
      }
    }
    if (!analysisEnabled) {
      throw analysisDisabled('document analysis is switched off', view, unavailable, retryAfterSeconds);
    }

    stored ??= await documents.create({ content: body.content!, title: body.title });
    const job = await jobs.start({
      documentId: stored.id,
      analysisType: body.analysisType,
      options: { tier, ...(body.maxTokens !== undefined && { maxTokens: body.maxTokens }) },
      cacheKey: keyFor(tier),
      cacheChecked: true,
    }, { priority: taskPriorityOf(body.priority, principalOf(res)?.id ?? 'local'), deferred: body.deferred ?? false });
    res.status(202).location(job.links.self).json({ ...job, documentId: stored.id, tier });
  });

  router.get('/jobs', async (req, res) => {
    const query = parseQuery(listJobsQuerySchema, req);
    res.json({ jobs: await jobs.list(query) });
  });

  router.get('/jobs/:jobId', async (req, res) => {
    const jobId = parseParam(JOB_ID_PATTERN, req.params.jobId, 'jobId');
    const { wait, since } = parseQuery(readJobQuerySchema, req);
    const job = await jobs.readWhenChanged(jobId, (wait ?? 0) * 1000, since);
    if (!job) throw notFound('job', jobId);
    res.json(job);
  });

  router.get('/jobs/:jobId/events', jobEventsHandler(jobs));

  router.delete('/jobs/:jobId', async (req, res) => {
    const jobId = parseParam(JOB_ID_PATTERN, req.params.jobId, 'jobId');
    const outcome = await jobs.cancel(jobId);
    if (outcome === 'not_found') throw notFound('job', jobId);
    if (outcome === 'closed') throw new HttpError(409, 'job_closed', `job ${jobId} has already finished`);
    res.status(202).json(outcome);
  });

  return router;
}

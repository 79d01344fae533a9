import { Router } from 'express';
import { analysisKeyOf, type AnalysisCache } from '../../shared/analysis-cache';
import type { DocumentStore } from '../../shared/document-store';
import { notFound } from '../errors';
import { JOB_ID_PATTERN, type JobService } from '../jobs';
import { analyzeRequestSchema } from '../schemas';
import { parseBody, parseParam } from '../validation';
import { assertContentFits } from './documents';

interface AnalysisRouterDeps {
  documents: DocumentStore;
  jobs: JobService;
  cache: AnalysisCache;
  maxBytes: number;
}

export function analysisRouter({ documents, jobs, cache, maxBytes }: AnalysisRouterDeps): Router {
  const router = Router();

  router.post('/analyze', async (req, res) => {
    const body = parseBody(analyzeRequestSchema, req);
    let document;
    if (body.content !== undefined) {
      assertContentFits(body.content, maxBytes);
      document = documents.create({ content: body.content, title: body.title });
    } else {
      document = documents.get(body.documentId!);
      if (!document) throw notFound('document', body.documentId!);
    }
    const tier = 'advanced' as const;
    const cacheKey = analysisKeyOf({ contentSha256: document.contentSha256, analysisType: body.analysisType, tier, maxTokens: body.maxTokens });

    const cached = await cache.read(cacheKey);
    if (cached) {
      res.status(200).json({ status: 'completed', cached: true, documentId: document.id, tokens: { input: 0, output: 0 }, result: cached });
      return;
    }
    const job = await jobs.start({
      documentId: document.id,
      analysisType: body.analysisType,
      options: { tier, ...(body.maxTokens !== undefined && { maxTokens: body.maxTokens }) },
      cacheKey,
    });
    res.status(202).location(job.links.self).json(job);
  });

  router.get('/jobs/:jobId', async (req, res) => {
    const jobId = parseParam(JOB_ID_PATTERN, req.params.jobId, 'jobId');
    const job = await jobs.read(jobId);
    if (!job) throw notFound('job', jobId);
    res.json(job);
  });

  return router;
}

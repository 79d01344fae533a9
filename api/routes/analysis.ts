import { Router } from 'express';
import type { DocumentStore } from '../../shared/document-store';
import { notFound } from '../errors';
import { JOB_ID_PATTERN, type JobService } from '../jobs';
import { analyzeRequestSchema } from '../schemas';
import { parseBody, parseParam } from '../validation';

export function analysisRouter({ documents, jobs }: { documents: DocumentStore; jobs: JobService }): Router {
  const router = Router();

  router.post('/analyze', async (req, res) => {
    const body = parseBody(analyzeRequestSchema, req);
    if (!documents.get(body.documentId)) throw notFound('document', body.documentId);
    const job = await jobs.start({ documentId: body.documentId, analysisType: body.analysisType });
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

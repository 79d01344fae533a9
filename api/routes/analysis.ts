import { Router, type RequestHandler } from 'express';
import { analysisKeyOf, type AnalysisCache } from '../../shared/adapters/analysis-cache';
import type { ModelTier } from '../../shared/core/providers/catalog';
import type { AnalysisType } from '../../shared/core/job-types';
import { sha256Hex, type DocumentStore } from '../../shared/adapters/documents/document-store';
import type { BudgetStore } from '../../shared/adapters/budget-store';
import type { AppConfig } from '../../shared/config';
import { decideAdmission } from '../../shared/core/admission';
import { principalOf } from '../auth';
import { budgetOption, clientStanding, firstCallWorstCase, localOnlyPlan, refusalError } from '../spend';
import type { OperationModeClient } from '../../shared/adapters/operation-mode-client';
import type { TemporalGuard } from '../../shared/adapters/temporal/temporal-guard';
import { TemporalUnavailableError } from '../../shared/adapters/temporal/temporal-unavailable';
import { SERVED_FROM_HEADER, type CachedJobView } from '../cached-job';
import { cacheHitResponseJson, sendJsonText } from '../cache-hit-response';
import { taskPriorityOf } from '../../shared/core/scheduling/task-priority';
import { HttpError, notFound } from '../errors';
import { JOB_ID_PATTERN, type JobService } from '../jobs';
import { jobCostOf } from '../job-view';
import { analyzeQuerySchema, analyzeRequestSchema, listJobsQuerySchema, readJobQuerySchema } from '../schemas';
import { parseBody, parseParam, parseQuery } from '../validation';
import { jobEventsHandler } from './job-events';
import { assertContentFits } from './documents';

interface AnalysisRouterDeps {
  config: AppConfig;
  budgets: BudgetStore;
  documents: DocumentStore;
  jobs: JobService;
  cache: AnalysisCache;
  modes: OperationModeClient;
  maxBytes: number;
  /** Told to clients in Retry-After while analysis is switched off: the next health check may change it. */
  retryAfterSeconds: number;
  /** Every Temporal call: a deadline, and a 503 at once while Temporal is away. */
  temporal: TemporalGuard;
  /** A finished job's answer from the analysis cache, for reads while Temporal is away. */
  readCachedJob: (jobId: string) => Promise<CachedJobView | undefined>;
}

const keyFor = (contentSha256: string, body: { analysisType: AnalysisType; maxTokens?: number }, tier: ModelTier) =>
  analysisKeyOf({ contentSha256, analysisType: body.analysisType, tier, maxTokens: body.maxTokens });

/** `POST /api/analyze`: a cache hit answers at once; otherwise the job starts (or the request is refused). */
export function analyzeHandler({ config, budgets, documents, jobs, cache, modes, maxBytes, retryAfterSeconds, temporal }: AnalysisRouterDeps): RequestHandler {
  // The configuration does not change while the API runs: whether it has a local analyzer is known once.
  const localAvailable = localOnlyPlan(config) !== undefined;
  return async (req, res) => {
    const body = parseBody(analyzeRequestSchema, req);
    const waitMs = (parseQuery(analyzeQuerySchema, req).wait ?? 0) * 1000;
    let stored = body.documentId !== undefined ? await documents.get(body.documentId) : undefined;
    if (body.documentId !== undefined && !stored) throw notFound('document', body.documentId);
    if (body.content !== undefined) assertContentFits(body.content, maxBytes);
    const content = stored?.content ?? body.content!;
    const contentSha256 = stored?.contentSha256 ?? sha256Hex(content);

    // A hit awaits nothing while the mode's memo is fresh and the answer is in memory.
    const { view, unavailable } = modes.readMemoized() ?? (await modes.read());
    const principal = principalOf(res);
    const nowMs = Date.now();
    const admission = { entry: 'analyze' as const, mode: view, modeUnavailable: unavailable, localAvailable, nowMs };
    // The cache comes before the budget: a hit costs nothing, so it needs neither the ledgers nor a worst case.
    const { tier, cacheLookups } = decideAdmission(admission);

    for (const candidate of cacheLookups) {
      const found = cache.readJsonNow(keyFor(contentSha256, body, candidate));
      const cached = found instanceof Promise ? await found : found;
      if (cached !== undefined) {
        // What res.json would send, with the answer's JSON made once per cache entry rather than per hit.
        sendJsonText(res, 200, cacheHitResponseJson(cached, stored?.id ?? body.documentId));
        return;
      }
    }
    const standing = await clientStanding(budgets, principal, nowMs);
    const decision = decideAdmission({
      ...admission,
      ...(standing && {
        client: {
          overBudget: principal!.budget!.overBudget,
          ledgers: standing,
          worstCase: {
            advanced: firstCallWorstCase(config, content, body.analysisType, 'advanced', body.maxTokens, body.deferred),
            light: firstCallWorstCase(config, content, body.analysisType, 'light', body.maxTokens, body.deferred),
          },
        },
      }),
    });
    if (!decision.admitted) throw refusalError(decision, view, unavailable, retryAfterSeconds);
    // A client over its own budget with over=local gets the local analyzer, in a job of its own (never cached as the provider answer).
    const localPlan = decision.localOnlyBecause === 'client-budget' ? localOnlyPlan(config) : undefined;

    stored ??= await documents.create({ content: body.content!, title: body.title });
    const job = await temporal.run(() => jobs.start({
      documentId: stored.id,
      analysisType: body.analysisType,
      options: { tier, ...(body.maxTokens !== undefined && { maxTokens: body.maxTokens }), ...budgetOption(principal) },
      ...(localPlan ? { plan: localPlan } : { cacheKey: keyFor(contentSha256, body, tier), cacheChecked: true }),
    }, { priority: taskPriorityOf(body.priority, principal?.id ?? 'local'), deferred: !localPlan && (body.deferred ?? false) }));
    // With ?wait=N the client gets the finished job in this answer when it finishes in time (the wait is
    // the server's long-poll on the run's close event); otherwise, or without it, the job as started.
    const finished = waitMs > 0 ? await temporal.run(() => jobs.readWhenFinished(job.jobId, waitMs), { waitMs }).catch(() => undefined) : undefined;
    const done = finished && finished.status !== 'queued' && finished.status !== 'running';
    res.status(done ? 200 : 202).location(job.links.self).json({ ...(done ? finished : job), documentId: stored.id, tier });
  };
}

/** The job routes under /api; `POST /api/analyze` is mounted on its own (analyzeHandler). */
export function analysisRouter({ jobs, temporal, readCachedJob }: AnalysisRouterDeps): Router {
  const router = Router();

  router.get('/jobs', async (req, res) => {
    const query = parseQuery(listJobsQuerySchema, req);
    res.json({ jobs: await temporal.run(() => jobs.list(query)) });
  });

  router.get('/jobs/:jobId', async (req, res) => {
    const jobId = parseParam(JOB_ID_PATTERN, req.params.jobId, 'jobId');
    const { wait, since, until } = parseQuery(readJobQuerySchema, req);
    const waitMs = (wait ?? 0) * 1000;
    const read = until === 'finished' ? () => jobs.readWhenFinished(jobId, waitMs) : () => jobs.readWhenChanged(jobId, waitMs, since);
    const job = await temporal.run(read, { waitMs }).catch(async (error: unknown) => {
      const cached = error instanceof TemporalUnavailableError ? await readCachedJob(jobId) : undefined;
      if (!cached) throw error;
      res.set(SERVED_FROM_HEADER, 'cache');
      return cached;
    });
    if (!job) throw notFound('job', jobId);
    res.json(job);
  });

  router.get('/jobs/:jobId/events', jobEventsHandler(jobs, temporal));

  router.delete('/jobs/:jobId', async (req, res) => {
    const jobId = parseParam(JOB_ID_PATTERN, req.params.jobId, 'jobId');
    const outcome = await temporal.run(() => jobs.cancel(jobId));
    if (outcome === 'not_found') throw notFound('job', jobId);
    if (outcome === 'closed') throw new HttpError(409, 'job_closed', `job ${jobId} has already finished`);
    res.status(202).json(outcome);
  });

  return router;
}

import { createHash, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Priority } from '@temporalio/common';
import type { AppConfig } from '../shared/config';
import { JOB_WORKFLOW_REVISION, type AnalyzeDocumentInput, type JobProgress, type JobStatus } from '../shared/core/job-types';
import { JOB_ID_PREFIX, JOB_PROGRESS_MEMO_KEY, jobProgressQuery, SEARCH_ATTRIBUTES, WORKFLOW_TYPES } from '../shared/core/names';
import { planProviderChain } from '../shared/core/providers/plan';
import { deferredScheduleOf } from '../shared/core/providers/batch-route';
import { temporalUiRunUrl } from '../shared/adapters/temporal-client';
import type { analyzeDocument } from '../workflows';
import { jobCostOf, jobStatusOf, stageOf, type ExecutionStatusName, type JobView } from './job-view';
import { JobHistory } from './job-history';
import { LingeringFollowers } from './lingering-followers';
import { timeoutSignal } from '../shared/adapters/with-timeout';

/** `analysis-<cache key>` for requests started through the API (so identical requests share a job); a UUID otherwise. */
export const JOB_ID_PATTERN = new RegExp(`^${JOB_ID_PREFIX}([0-9a-f]{64}|[0-9a-f-]{36})$`);

/** The job's own progress version and run take part, so a reused job id never looks unchanged. */
const versionOf = (view: Omit<JobView, 'version'>, runId: string, progressVersion: number | undefined) =>
  createHash('sha256')
    .update(JSON.stringify([runId, progressVersion, view.status, view.stage, view.provider, view.chain.length, view.currentAttempt?.attempt, view.currentAttempt?.provider]))
    .digest('hex')
    .slice(0, 16);

export interface JobSummary {
  jobId: string;
  status: JobStatus;
  documentId?: string;
  provider?: string;
  startedAt: string;
  closedAt?: string;
  links: { self: string; ui: string };
}

/** How long a status read waits for a worker to answer the progress query before reporting the job queued. */
const PROGRESS_QUERY_TIMEOUT_MS = 2000;

/** Long enough for a client's next long-poll to arrive; the cap bounds memory (a follower holds one job's state). */
const FOLLOWER_LINGER_MS = 10_000;
const MAX_LINGERING_FOLLOWERS = 10_000;

export class JobService {
  private readonly lingering = new LingeringFollowers<{ history: JobHistory; view: JobView }>({
    lingerMs: FOLLOWER_LINGER_MS,
    maxEntries: MAX_LINGERING_FOLLOWERS,
  });

  constructor(
    private readonly client: Client,
    private readonly config: AppConfig,
  ) {}

  private links(jobId: string, runId?: string) {
    return { self: `/api/jobs/${jobId}`, ui: temporalUiRunUrl(this.config, jobId, runId) };
  }

  /** `priority`: Temporal task priority and fairness key (shared/core/scheduling); a joined running job keeps its own. */
  async start(input: AnalyzeDocumentInput, scheduling: { priority?: Priority; deferred?: boolean } = {}): Promise<JobView> {
    // A deferred job may wait a day for its provider batch: identical deferred requests share it, but a
    // synchronous request must not join it, so its id comes from the cache key under another name.
    const jobKey = input.cacheKey && scheduling.deferred ? createHash('sha256').update(`deferred:${input.cacheKey}`).digest('hex') : input.cacheKey;
    const jobId = `${JOB_ID_PREFIX}${jobKey ?? randomUUID()}`;
    const initialProgress: JobProgress = { stage: 'queued', documentId: input.documentId, chain: [], tokens: { input: 0, output: 0 }, version: 0 };
    // Deferred: the half-price provider batch first (workflows/analyze-deferred-document.ts).
    const workflowType = scheduling.deferred ? WORKFLOW_TYPES.analyzeDeferredDocument : WORKFLOW_TYPES.analyzeDocument;
    const schedule = scheduling.deferred ? { schedule: deferredScheduleOf(this.config) } : {};
    const handle = await this.client.workflow.start<typeof analyzeDocument>(workflowType, {
      workflowId: jobId,
      // Identical requests while a job runs join it: one provider call, whichever process they reach.
      // A closed job's id starts a fresh run (the default reuse policy), e.g. after its cache entry was invalidated.
      workflowIdConflictPolicy: 'USE_EXISTING',
      taskQueue: this.config.temporal.taskQueue,
      args: [{ ...input, plan: input.plan ?? planProviderChain(this.config), revision: JOB_WORKFLOW_REVISION, ...schedule }],
      ...(scheduling.priority && { priority: scheduling.priority }),
      // What a read shows before a worker has taken the job; the workflow replaces it as it goes.
      memo: { [JOB_PROGRESS_MEMO_KEY]: initialProgress },
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.documentId, value: input.documentId },
        { key: SEARCH_ATTRIBUTES.analysisType, value: input.analysisType },
        { key: SEARCH_ATTRIBUTES.jobStatus, value: 'queued' },
      ],
      // Fixed at start, so it says what was asked; what ran is in the run's current details and LlmProvider.
      staticSummary: `Analyze ${input.documentId} (${input.analysisType}; ${input.options?.tier ?? 'advanced'} tier asked)`,
      staticDetails: [
        `**Document:** ${input.documentId}`,
        `**Analysis:** ${input.analysisType}, ${input.options?.tier ?? 'advanced'} model tier asked${input.options?.maxTokens ? `, at most ${input.options.maxTokens} tokens` : ''}`,
        `**Progress:** memo \`jobProgress\` (stage, provider chain, tokens, version); API: /api/jobs/${jobId} and /api/jobs/${jobId}/events`,
      ].join('\n\n'),
    });
    const view = {
      jobId,
      status: 'queued' as const,
      stage: 'queued' as const,
      documentId: input.documentId,
      chain: [],
      tokens: { input: 0, output: 0 },
      cost: jobCostOf(0),
      links: this.links(jobId, handle.firstExecutionRunId),
    };
    return { ...view, version: versionOf(view, handle.firstExecutionRunId, initialProgress.version) };
  }

  private async queryProgress(jobId: string): Promise<JobProgress | undefined> {
    const handle = this.client.workflow.getHandle(jobId);
    try {
      return await this.client.connection.withDeadline(Date.now() + PROGRESS_QUERY_TIMEOUT_MS, () =>
        handle.query(jobProgressQuery),
      );
    } catch {
      return undefined;
    }
  }

  /** undefined when no such job exists. One history read: no describe, no query, no result fetch. */
  async read(jobId: string): Promise<JobView | undefined> {
    const history = new JobHistory(this.client, jobId);
    if (!(await history.catchUp())) return undefined;
    return this.viewOf(history);
  }

  /**
   * Long-poll: the job at once when it differs from `since` or is closed; otherwise as soon as its
   * history shows a change a client can see, or after `waitMs`. The wait is the server's own long-poll
   * on the history: no timer loop here, and nothing for the workflow or any worker to do.
   */
  async readWhenChanged(jobId: string, waitMs: number, since?: string, signal?: AbortSignal): Promise<JobView | undefined> {
    // A client long-polling again with the version this process just gave it continues that read.
    const kept = waitMs > 0 && since !== undefined ? this.lingering.take(jobId, since) : undefined;
    let history = kept?.history;
    let view = kept?.view;
    if (!history || !view) {
      history = new JobHistory(this.client, jobId);
      if (!(await history.catchUp())) return undefined;
      view = await this.viewOf(history);
    }
    // `since` is the version the client saw last: anything newer is answered at once.
    if (waitMs > 0 && !history.closed && (since === undefined || view.version === since)) {
      view = await this.nextChange(history, view, timeoutSignal(waitMs, signal));
    }
    if (!history.closed) this.lingering.keep(jobId, view.version, { history, view });
    return view;
  }

  /**
   * The job once it has finished, or as it is after `waitMs`: the wait is the server's long-poll on the
   * run's close event, so the job's progress wakes nobody. A completed run's close event is the whole
   * read; any other end (failed, cancelled, still running, runs from before) is read from the history.
   */
  async readWhenFinished(jobId: string, waitMs: number, signal?: AbortSignal): Promise<JobView | undefined> {
    if (waitMs > 0) {
      const stop = timeoutSignal(waitMs, signal);
      const history = new JobHistory(this.client, jobId);
      if (!(await history.waitForClose(stop))) return undefined;
      // A completed run's result carries the finished job: its close event is the whole read.
      if (history.knowsFinishedJob) return this.viewOf(history);
    }
    return this.read(jobId);
  }

  /**
   * The job now, then each time it changes, following one history (never read twice); a quiet
   * `quietMs` yields the same view again. Ends after the closed job's view, or when `signal` aborts.
   * Yields nothing when there is no such job.
   */
  async *follow(jobId: string, quietMs: number, signal: AbortSignal): AsyncGenerator<JobView> {
    const history = new JobHistory(this.client, jobId);
    if (!(await history.catchUp())) return;
    let view = await this.viewOf(history);
    yield view;
    while (!history.closed && !signal.aborted) {
      view = await this.nextChange(history, view, timeoutSignal(quietMs, signal));
      if (!signal.aborted) yield view;
    }
  }

  /** `seen` once the history shows a change to it, or as it is when `stop` aborts. */
  private async nextChange(history: JobHistory, seen: JobView, stop: AbortSignal): Promise<JobView> {
    let view = seen;
    try {
      while (!stop.aborted && !history.closed && view.version === seen.version) {
        await history.next(stop);
        view = await this.viewOf(history);
      }
    } catch (error) {
      if (!stop.aborted) throw error;
    }
    return view;
  }

  private async viewOf(history: JobHistory): Promise<JobView> {
    const { state, jobId } = history;
    // Runs started before the workflow published its progress answer the query instead.
    const progress = state.progress ?? (await this.queryProgress(jobId));
    const status = jobStatusOf(state.execution, progress);
    const view: Omit<JobView, 'version'> = {
      jobId,
      status,
      stage: stageOf(status, progress),
      documentId: state.documentId,
      provider: progress?.provider ?? state.provider,
      chain: progress?.chain ?? [],
      tokens: progress?.tokens ?? { input: 0, output: 0 },
      cost: jobCostOf(progress?.costNanoUsd),
      ...(!history.closed && progress?.currentAttempt && { currentAttempt: progress.currentAttempt }),
      startedAt: state.startedAt,
      closedAt: state.closedAt,
      links: this.links(jobId, state.runId),
      ...(progress?.route && { route: progress.route }),
      ...(progress?.savings && { savings: progress.savings }),
      ...(progress?.providerBatch && { providerBatch: progress.providerBatch }),
      ...(status === 'completed' && state.result && { result: state.result }),
      ...(status === 'failed' && { error: state.error ?? { type: 'Unknown', message: 'job failed' } }),
    };
    return { ...view, version: versionOf(view, state.runId ?? '', progress?.version) };
  }

  /** Requests cancellation; the job ends `cancelled` once its in-flight provider call has been aborted. */
  async cancel(jobId: string): Promise<{ jobId: string; status: 'cancelling' } | 'not_found' | 'closed'> {
    const handle = this.client.workflow.getHandle(jobId);
    try {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') return 'closed';
      await handle.cancel();
      return { jobId, status: 'cancelling' };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'not_found';
      throw error;
    }
  }

  /** Jobs from Temporal visibility, newest first; filters are validated before they reach the query. */
  async list(filter: { status?: JobStatus; documentId?: string; pageSize: number }): Promise<JobSummary[]> {
    const clauses = [`WorkflowType IN ('${WORKFLOW_TYPES.analyzeDocument}', '${WORKFLOW_TYPES.analyzeDeferredDocument}')`];
    if (filter.status) clauses.push(`${SEARCH_ATTRIBUTES.jobStatus.name} = '${filter.status}'`);
    if (filter.documentId) clauses.push(`${SEARCH_ATTRIBUTES.documentId.name} = '${filter.documentId}'`);
    const jobs: JobSummary[] = [];
    for await (const run of this.client.workflow.list({ query: clauses.join(' AND '), pageSize: filter.pageSize })) {
      jobs.push({
        jobId: run.workflowId,
        status: (run.typedSearchAttributes.get(SEARCH_ATTRIBUTES.jobStatus) as JobStatus | undefined) ?? jobStatusOf(run.status.name as ExecutionStatusName, undefined),
        documentId: run.typedSearchAttributes.get(SEARCH_ATTRIBUTES.documentId),
        provider: run.typedSearchAttributes.get(SEARCH_ATTRIBUTES.provider),
        startedAt: run.startTime.toISOString(),
        closedAt: run.closeTime?.toISOString(),
        links: this.links(run.workflowId, run.runId),
      });
      if (jobs.length >= filter.pageSize) break;
    }
    return jobs;
  }

}

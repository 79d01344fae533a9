import { createHash, randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { AppConfig } from '../shared/config';
import { applicationFailureOf } from '../shared/failure-types';
import type { AnalyzeDocumentInput, JobProgress, JobSnapshot, JobStatus } from '../shared/job-types';
import { JOB_ID_PREFIX, JOB_PROGRESS_MEMO_KEY, jobProgressQuery, SEARCH_ATTRIBUTES, WORKFLOW_TYPES } from '../shared/names';
import { temporalUiRunUrl } from '../shared/temporal-client';
import type { AnalysisResult } from '../shared/analysis-result';
import type { analyzeDocument } from '../workflows';
import { jobStatusOf, stageOf, type ExecutionStatusName, type JobView } from './job-view';
import { JobWatcher } from './job-watcher';

/** `analysis-<cache key>` for requests started through the API (so identical requests share a job); a UUID otherwise. */
export const JOB_ID_PATTERN = new RegExp(`^${JOB_ID_PREFIX}([0-9a-f]{64}|[0-9a-f-]{36})$`);

const isClosed = (view: JobView) => ['completed', 'failed', 'cancelled'].includes(view.status);
/** The job's own progress version and run take part, so a reused job id never looks unchanged. */
const versionOf = (view: Omit<JobView, 'version'>, runId: string, progressVersion: number | undefined) =>
  createHash('sha256')
    .update(JSON.stringify([runId, progressVersion, view.status, view.stage, view.provider, view.chain.length, view.currentAttempt?.attempt, view.currentAttempt?.provider]))
    .digest('hex')
    .slice(0, 16);
/** `promise`'s value, or undefined once `ms` have passed or `signal` aborts, whichever comes first. */
function settleWithin<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T | undefined> {
  return new Promise((resolve) => {
    const done = (value: T | undefined) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = () => done(undefined);
    const timer = setTimeout(onAbort, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(done, () => done(undefined));
  });
}

interface ReadState {
  view: JobView;
  runId: string;
  /** undefined for runs started before progress was published in the memo. */
  progressVersion?: number;
}

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

export class JobService {
  private readonly watcher: JobWatcher;

  constructor(
    private readonly client: Client,
    private readonly config: AppConfig,
  ) {
    this.watcher = new JobWatcher(client);
  }

  private links(jobId: string, runId?: string) {
    return { self: `/api/jobs/${jobId}`, ui: temporalUiRunUrl(this.config, jobId, runId) };
  }

  async start(input: AnalyzeDocumentInput): Promise<JobView> {
    const jobId = `${JOB_ID_PREFIX}${input.cacheKey ?? randomUUID()}`;
    const initialProgress: JobProgress = { stage: 'queued', documentId: input.documentId, chain: [], tokens: { input: 0, output: 0 }, version: 0 };
    const handle = await this.client.workflow.start<typeof analyzeDocument>(WORKFLOW_TYPES.analyzeDocument, {
      workflowId: jobId,
      // Identical requests while a job runs join it: one provider call, whichever process they reach.
      // A closed job's id starts a fresh run (the default reuse policy), e.g. after its cache entry was invalidated.
      workflowIdConflictPolicy: 'USE_EXISTING',
      taskQueue: this.config.temporal.taskQueue,
      args: [input],
      // What a read shows before a worker has taken the job; the workflow replaces it as it goes.
      memo: { [JOB_PROGRESS_MEMO_KEY]: initialProgress },
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.documentId, value: input.documentId },
        { key: SEARCH_ATTRIBUTES.analysisType, value: input.analysisType },
        { key: SEARCH_ATTRIBUTES.jobStatus, value: 'queued' },
      ],
      staticSummary: `Analyze ${input.documentId} (${input.analysisType}, ${input.options?.tier ?? 'advanced'} tier)`,
      staticDetails: [
        `**Document:** ${input.documentId}`,
        `**Analysis:** ${input.analysisType}, ${input.options?.tier ?? 'advanced'} model tier${input.options?.maxTokens ? `, at most ${input.options.maxTokens} tokens` : ''}`,
        `**Progress:** query \`jobProgress\` (stage, provider chain, tokens); API: /api/jobs/${jobId}`,
      ].join('\n\n'),
    });
    const view = {
      jobId,
      status: 'queued' as const,
      stage: 'queued' as const,
      documentId: input.documentId,
      chain: [],
      tokens: { input: 0, output: 0 },
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

  /** undefined when no such job exists. */
  async read(jobId: string): Promise<JobView | undefined> {
    return (await this.readState(jobId))?.view;
  }

  /**
   * One describe: the progress is in the run's memo. A closed run adds one result fetch, unless a
   * snapshot from the run itself already carries its outcome. Runs started before the memo existed
   * fall back to the progress query.
   */
  private async readState(jobId: string, known?: JobSnapshot): Promise<ReadState | undefined> {
    const handle = this.client.workflow.getHandle(jobId);
    let description;
    try {
      description = await handle.describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
    const execution = description.status.name as ExecutionStatusName;
    const memo = description.memo?.[JOB_PROGRESS_MEMO_KEY] as JobProgress | undefined;
    const fresher = known && (memo?.version ?? -1) < (known.progress.version ?? -1) ? known.progress : memo;
    const progress = fresher ?? (await this.queryProgress(jobId));
    const status = jobStatusOf(execution, progress);
    const view: Omit<JobView, 'version'> = {
      jobId,
      status,
      stage: stageOf(status, progress),
      documentId: description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.documentId),
      provider: progress?.provider ?? description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.provider),
      chain: progress?.chain ?? [],
      tokens: progress?.tokens ?? { input: 0, output: 0 },
      ...(execution === 'RUNNING' && { currentAttempt: currentAttemptOf(description.raw.pendingActivities, progress) }),
      startedAt: description.startTime.toISOString(),
      closedAt: description.closeTime?.toISOString(),
      links: this.links(jobId, description.runId),
    };
    if (status === 'completed') {
      view.result = known?.result ?? ((await handle.result()) as AnalysisResult);
    } else if (status === 'failed') {
      view.error = known?.failure ?? (await this.failureOf(jobId));
    }
    return { view: { ...view, version: versionOf(view, description.runId, progress?.version) }, runId: description.runId, progressVersion: progress?.version };
  }

  /**
   * Long-poll: the job at once when it differs from `since` or is closed; otherwise as soon as the
   * workflow reports a change (its waitForJobChange update returns), or after `waitMs`. No polling:
   * the request holds one update that the workflow answers; runs without that update wait for their close.
   */
  async readWhenChanged(jobId: string, waitMs: number, since?: string, signal?: AbortSignal): Promise<JobView | undefined> {
    const first = await this.readState(jobId);
    // `since` is the version the client saw last: anything newer is answered at once.
    if (!first || waitMs <= 0 || isClosed(first.view) || (since !== undefined && first.view.version !== since)) return first?.view;
    const change =
      first.progressVersion !== undefined
        ? this.watcher.changeAfter(jobId, first.runId, first.progressVersion)
        : this.watcher.closeOf(jobId, first.runId).then(() => undefined);
    const woke = await settleWithin(change.then((snapshot) => ({ snapshot })), waitMs, signal);
    if (signal?.aborted) return first.view;
    return (await this.readState(jobId, woke?.snapshot))?.view;
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
    const clauses = [`WorkflowType = '${WORKFLOW_TYPES.analyzeDocument}'`];
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

  private async failureOf(jobId: string): Promise<{ type: string; message: string }> {
    try {
      await this.client.workflow.getHandle(jobId).result();
      return { type: 'Unknown', message: 'job failed' };
    } catch (error) {
      const failure = applicationFailureOf(error);
      if (failure) return { type: failure.type ?? 'ApplicationFailure', message: failure.message };
      if (error instanceof WorkflowFailedError) {
        return { type: error.cause?.name ?? 'WorkflowFailed', message: error.cause?.message ?? error.message };
      }
      return { type: 'WorkflowFailed', message: (error as Error).message };
    }
  }
}

type PendingActivities = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['describe']>>['raw']['pendingActivities'];

/**
 * The provider step in flight: Temporal's own record of the pending activity (attempt, last failure),
 * or the retry the activity announced to the workflow when that is further along (the server records
 * the failed attempt a moment after the announcement).
 */
function currentAttemptOf(pending: PendingActivities, progress: JobProgress | undefined): JobView['currentAttempt'] {
  const announced = progress?.currentAttempt;
  const activity = pending?.find((candidate) => candidate.activityType?.name !== 'planProviderChain');
  if (!activity) return announced;
  const attempt = activity.attempt ?? 1;
  if (announced && announced.attempt > attempt) return announced;
  const lastFailure = activity.lastFailure?.applicationFailureInfo?.type ?? activity.lastFailure?.message ?? undefined;
  return {
    ...(progress?.provider && { provider: progress.provider }),
    attempt,
    ...(lastFailure && { lastFailure }),
  };
}

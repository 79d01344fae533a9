import { createHash, randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { AppConfig } from '../shared/config';
import { applicationFailureOf } from '../shared/failure-types';
import type { AnalyzeDocumentInput, JobProgress, JobStatus } from '../shared/job-types';
import { JOB_ID_PREFIX, jobProgressQuery, SEARCH_ATTRIBUTES, WORKFLOW_TYPES } from '../shared/names';
import { temporalUiRunUrl } from '../shared/temporal-client';
import type { AnalysisResult } from '../shared/analysis-result';
import type { analyzeDocument } from '../workflows';
import { jobStatusOf, stageOf, type ExecutionStatusName, type JobView } from './job-view';

/** `analysis-<cache key>` for requests started through the API (so identical requests share a job); a UUID otherwise. */
export const JOB_ID_PATTERN = new RegExp(`^${JOB_ID_PREFIX}([0-9a-f]{64}|[0-9a-f-]{36})$`);

const LONG_POLL_INTERVAL_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isClosed = (view: JobView) => ['completed', 'failed', 'cancelled'].includes(view.status);
const progressFingerprint = (view: Omit<JobView, 'version'>) =>
  JSON.stringify([view.status, view.stage, view.provider, view.chain.length, view.currentAttempt?.attempt, view.currentAttempt?.provider]);
const versionOf = (view: Omit<JobView, 'version'>) => createHash('sha256').update(progressFingerprint(view)).digest('hex').slice(0, 16);

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
  constructor(
    private readonly client: Client,
    private readonly config: AppConfig,
  ) {}

  private links(jobId: string, runId?: string) {
    return { self: `/api/jobs/${jobId}`, ui: temporalUiRunUrl(this.config, jobId, runId) };
  }

  async start(input: AnalyzeDocumentInput): Promise<JobView> {
    const jobId = `${JOB_ID_PREFIX}${input.cacheKey ?? randomUUID()}`;
    const handle = await this.client.workflow.start<typeof analyzeDocument>(WORKFLOW_TYPES.analyzeDocument, {
      workflowId: jobId,
      // Identical requests while a job runs join it: one provider call, whichever process they reach.
      // A closed job's id starts a fresh run (the default reuse policy), e.g. after its cache entry was invalidated.
      workflowIdConflictPolicy: 'USE_EXISTING',
      taskQueue: this.config.temporal.taskQueue,
      args: [input],
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
    return { ...view, version: versionOf(view) };
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
    const handle = this.client.workflow.getHandle(jobId);
    let description;
    try {
      description = await handle.describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
    const execution = description.status.name as ExecutionStatusName;
    // A closed run answers queries from its history too; a replay is cheaper than a missing chain.
    const progress = await this.queryProgress(jobId);
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
      view.result = (await handle.result()) as AnalysisResult;
    } else if (status === 'failed') {
      view.error = await this.failureOf(jobId);
    }
    return { ...view, version: versionOf(view) };
  }

  /**
   * Long-poll: the job as soon as it differs from `since` (status, stage, provider, chain, attempt) or is
   * closed, else after `waitMs`. Polls Temporal internally so the client holds one request.
   */
  async readWhenChanged(jobId: string, waitMs: number, since?: string): Promise<JobView | undefined> {
    const first = await this.read(jobId);
    // `since` is the version the client saw last: anything newer is answered at once.
    if (!first || waitMs <= 0 || isClosed(first) || (since !== undefined && first.version !== since)) return first;
    const fingerprint = progressFingerprint(first);
    const deadline = Date.now() + waitMs;
    let latest: JobView | undefined = first;
    while (Date.now() < deadline) {
      await sleep(Math.min(LONG_POLL_INTERVAL_MS, deadline - Date.now()));
      latest = await this.read(jobId);
      if (!latest || isClosed(latest) || progressFingerprint(latest) !== fingerprint) return latest;
    }
    return latest;
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

/** The provider step in flight, from Temporal's own record of the pending activity (attempt, last failure). */
function currentAttemptOf(pending: PendingActivities, progress: JobProgress | undefined): JobView['currentAttempt'] {
  const activity = pending?.find((candidate) => candidate.activityType?.name !== 'planProviderChain');
  if (!activity) return undefined;
  const lastFailure = activity.lastFailure?.applicationFailureInfo?.type ?? activity.lastFailure?.message ?? undefined;
  return {
    ...(progress?.provider && { provider: progress.provider }),
    attempt: activity.attempt ?? 1,
    ...(lastFailure && { lastFailure }),
  };
}

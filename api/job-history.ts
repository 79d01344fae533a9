/**
 * A job read from its own history: the memo the workflow publishes once per workflow task, its search
 * attributes, and how it closed. Following the history with the server's long-poll wakes a waiting
 * client on the job's next event, with no query, no describe and no work for any worker.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { decodeOptionalFailureToOptionalError, decodeOptionalSinglePayload } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import type { AnalysisResult } from '../shared/core/analysis-result';
import { applicationFailureOf } from '../shared/core/failure-types';
import type { AnalyzeDocumentInput, FinishedJob, JobProgress, JobResult } from '../shared/core/job-types';
import type { ProviderName } from '../shared/core/providers/catalog';
import { JOB_PROGRESS_MEMO_KEY, SEARCH_ATTRIBUTES, WORKFLOW_TYPES } from '../shared/core/names';
import { onlyTheCloseFollows, type RunSoFar } from './close-follows';
import type { ExecutionStatusName } from './job-view';

const EventType = temporal.api.enums.v1.EventType;
const CLOSE_EVENT_ONLY = temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT;
/** Histories of a job are tens of events; a shorter page than this means the reader has caught up. */
const PAGE_SIZE = 1000;

/** What the history says about a job so far. */
export interface JobHistoryState {
  runId?: string;
  startedAt?: string;
  closedAt?: string;
  /** How the run stands, in Temporal's own terms: RUNNING until its close event. */
  execution: ExecutionStatusName;
  documentId?: string;
  provider?: string;
  /** The workflow's published progress; absent in runs started before it published any. */
  progress?: JobProgress;
  result?: AnalysisResult;
  error?: { type: string; message: string };
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const isoOf = (event: HistoryEvent) => {
  const time = event.eventTime;
  return time ? new Date(Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6)).toISOString() : undefined;
};

export class JobHistory {
  readonly state: JobHistoryState = { execution: 'RUNNING' };
  private token: Uint8Array | undefined;
  private started = false;
  private ended = false;
  private input?: Payload;
  private firstStepInTask?: ProviderName | false;
  private readonly run: RunSoFar = { publishesProgress: false };
  /** Activity types by their scheduled event's id, for the completions that follow. */
  private readonly scheduledActivities = new Map<string, string>();
  /** Nothing but the close can change the job any more: `next()` waits on the close event alone. */
  private closeIsNext = false;
  private closeToken: Uint8Array | undefined;
  private closedWithFinishedJob = false;

  constructor(
    private readonly client: Client,
    readonly jobId: string,
  ) {}

  /** Reads every event there is now; false when no such job exists. */
  async catchUp(): Promise<boolean> {
    for (;;) {
      const page = await this.fetch(false);
      if (page === 'not_found') return false;
      if (this.ended || page < PAGE_SIZE) return true;
    }
  }

  /**
   * Waits (server-side long-poll) for the job's next events and applies them; resolves after each batch
   * (or the server's long-poll timeout), so the caller decides whether what changed matters. Once only
   * the close can change the job, the batch waited for is the close.
   */
  async next(signal: AbortSignal): Promise<void> {
    if (this.ended || this.closed) return;
    if (this.closeIsNext) await this.withSignal(signal, () => this.nextClose());
    else await this.withSignal(signal, () => this.fetch(true));
  }

  /**
   * One long-poll on the close event. A run that returned its finished job needs nothing else; any other
   * close is read with the events before it, which carry its last published progress.
   */
  private async nextClose(): Promise<void> {
    const response = await this.closeEventPoll(this.closeToken);
    const close = response.history?.events?.[0];
    this.closeToken = response.nextPageToken && response.nextPageToken.length > 0 ? response.nextPageToken : undefined;
    if (!close) return;
    if (close.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) {
      await this.apply(close);
      if (this.closedWithFinishedJob) return;
    }
    // The history's own long-poll answers at once on a closed run, with everything after what was read.
    this.closeIsNext = false;
    while (!this.closed && !this.ended) await this.fetch(true);
  }

  private closeEventPoll(token: Uint8Array | undefined) {
    return this.client.workflowService.getWorkflowExecutionHistory({
      namespace: this.client.options.namespace,
      execution: { workflowId: this.jobId },
      historyEventFilterType: CLOSE_EVENT_ONLY,
      waitNewEvent: true,
      ...(token && { nextPageToken: token }),
    });
  }

  /**
   * The SDK never removes the listener it adds to a call's signal: each call gets a signal of its own,
   * linked to the caller's only while the call lasts (a long wait may take many calls).
   */
  private async withSignal<T>(signal: AbortSignal, call: () => Promise<T>): Promise<T> {
    const own = new AbortController();
    const abort = () => own.abort(signal.reason);
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    try {
      return await this.client.connection.withAbortSignal(own.signal, call);
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  /**
   * Waits for the run to close with the server's long-poll on its close event alone, so nothing before
   * the close wakes the caller, and applies that event; false when no such job exists. Returns early
   * when `signal` aborts. A run that carries the finished job in its result needs no other read
   * (`knowsFinishedJob`).
   */
  async waitForClose(signal: AbortSignal): Promise<boolean> {
    let token: Uint8Array | undefined;
    while (!signal.aborted) {
      let response;
      try {
        response = await this.withSignal(signal, () => this.closeEventPoll(token));
      } catch (error) {
        if ((error as { code?: number }).code === 5 /* NOT_FOUND */) return false;
        if (signal.aborted) return true;
        throw error;
      }
      const events = response.history?.events ?? [];
      if (events.length > 0) {
        for (const event of events) await this.apply(event);
        return true;
      }
      token = response.nextPageToken && response.nextPageToken.length > 0 ? response.nextPageToken : undefined;
    }
    return true;
  }

  get closed(): boolean {
    return this.state.execution !== 'RUNNING';
  }

  /** Closed, with everything a view of it needs: the close event of a run that returned its finished job. */
  get knowsFinishedJob(): boolean {
    return this.closedWithFinishedJob;
  }

  private async fetch(waitForNew: boolean): Promise<number | 'not_found'> {
    let response;
    try {
      response = await this.client.workflowService.getWorkflowExecutionHistory({
        namespace: this.client.options.namespace,
        execution: { workflowId: this.jobId },
        maximumPageSize: PAGE_SIZE,
        // The first call returns what exists at once; later calls with the token wait for new events.
        waitNewEvent: waitForNew || !this.started,
        ...(this.token && { nextPageToken: this.token }),
      });
    } catch (error) {
      if ((error as { code?: number }).code === 5 /* NOT_FOUND */) return 'not_found';
      throw error;
    }
    this.started = true;
    const events = response.history?.events ?? [];
    for (const event of events) await this.apply(event);
    this.token = response.nextPageToken && response.nextPageToken.length > 0 ? response.nextPageToken : undefined;
    if (!this.token) this.ended = true;
    return events.length;
  }

  private async apply(event: HistoryEvent): Promise<void> {
    const converter = this.client.options.loadedDataConverter;
    const state = this.state;
    const progressIn = async (memo: Record<string, Payload> | null | undefined) => {
      const payload = memo?.[JOB_PROGRESS_MEMO_KEY];
      if (payload) state.progress = (await decodeOptionalSinglePayload<JobProgress>(converter, payload)) ?? state.progress;
    };
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
        const started = event.workflowExecutionStartedEventAttributes!;
        state.runId = started.originalExecutionRunId ?? undefined;
        state.startedAt = isoOf(event);
        this.run.workflowType = started.workflowType?.name ?? undefined;
        // A deferred job's first task submits a provider batch: only a synchronous job calls its first step there.
        if (started.workflowType?.name === WORKFLOW_TYPES.analyzeDocument) this.input = (started.input?.payloads?.[0] as Payload | undefined) ?? undefined;
        this.applySearchAttributes(started.searchAttributes?.indexedFields);
        await progressIn(started.memo?.fields as Record<string, Payload> | undefined);
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: {
        // A first attempt run inside the workflow task publishes nothing until the task completes; a
        // worker taking the task is the news that it runs, so the job reads as the workflow will say.
        if (state.progress?.version !== 0 || state.progress.stage !== 'queued') return;
        const provider = await this.firstStepRunInTask();
        if (provider) state.progress = { ...state.progress, stage: 'analyzing', provider };
        return;
      }
      case EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
        this.run.publishesProgress = true;
        await progressIn(event.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields as Record<string, Payload> | undefined);
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        this.scheduledActivities.set(String(event.eventId), event.activityTaskScheduledEventAttributes?.activityType?.name ?? '');
        return;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
        const scheduledId = String(event.activityTaskCompletedEventAttributes?.scheduledEventId);
        if (onlyTheCloseFollows(this.run, this.scheduledActivities.get(scheduledId))) this.closeIsNext = true;
        return;
      }
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        this.applySearchAttributes(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: {
        state.execution = 'COMPLETED';
        const returned = await decodeOptionalSinglePayload<JobResult>(converter, event.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0]);
        if (!returned) break;
        const { job, ...result } = returned;
        state.result = result;
        if (job) {
          this.applyFinishedJob(job);
          this.closedWithFinishedJob = true;
        }
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: {
        state.execution = 'FAILED';
        const error = await decodeOptionalFailureToOptionalError(converter, event.workflowExecutionFailedEventAttributes?.failure);
        const failure = applicationFailureOf(error);
        state.error = failure ? { type: failure.type ?? 'ApplicationFailure', message: failure.message } : { type: error?.name ?? 'WorkflowFailed', message: error?.message ?? 'job failed' };
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
        state.execution = 'CANCELLED';
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
        state.execution = 'TERMINATED';
        state.error = { type: 'Terminated', message: event.workflowExecutionTerminatedEventAttributes?.reason || 'the job was terminated' };
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
        state.execution = 'TIMED_OUT';
        state.error = { type: 'TimedOut', message: 'the job ran past its execution timeout' };
        break;
      default:
        return;
    }
    if (this.closed && !state.closedAt) state.closedAt = isoOf(event);
  }

  /** The provider of the job's first step when its first attempt runs in the workflow task (`firstAttemptLocal`), read from the start input once. */
  private async firstStepRunInTask(): Promise<ProviderName | false> {
    if (this.firstStepInTask === undefined) {
      const input = await decodeOptionalSinglePayload<AnalyzeDocumentInput>(this.client.options.loadedDataConverter, this.input).catch(() => undefined);
      const [first] = input?.plan ?? [];
      // A job that reads the cache first (not started by the API) is not calling its provider yet.
      const readsCacheFirst = !!input?.cacheKey && !input.cacheChecked;
      this.firstStepInTask = first?.firstAttemptLocal && !readsCacheFirst ? first.provider : false;
    }
    return this.firstStepInTask;
  }

  /** The run's own account of the finished job: what the rest of its history would have said. */
  private applyFinishedJob(job: FinishedJob): void {
    const state = this.state;
    state.progress = job.progress;
    state.runId ??= job.runId;
    state.startedAt ??= job.startedAt;
    state.documentId ??= job.progress.documentId;
    state.provider ??= job.progress.provider;
  }

  private applySearchAttributes(fields: Record<string, Payload> | null | undefined): void {
    const read = (name: string) => {
      const payload = fields?.[name];
      if (!payload) return undefined;
      const value = defaultPayloadConverter.fromPayload<unknown>(payload);
      return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
    };
    this.state.documentId = read(SEARCH_ATTRIBUTES.documentId.name) ?? this.state.documentId;
    this.state.provider = read(SEARCH_ATTRIBUTES.provider.name) ?? this.state.provider;
  }
}

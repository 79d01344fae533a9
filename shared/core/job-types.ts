/** Job shapes shared by the API and the workflows (no Node built-ins: the workflow bundle includes this). */
import type { ModelTier, ProviderName } from './providers/catalog';
import type { ProviderStep } from './providers/plan';
import type { BudgetLimit } from './spend/budget';
import type { AttemptSpend } from './spend/attempt-spend';
import type { AnalysisRoute, DeferredSchedule } from './providers/batch-route';
import type { BatchSavings } from './spend/batch-spend';
import type { AnalysisResult } from './analysis-result';

export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const JOB_STAGES = ['queued', 'analyzing', 'completed', 'failed', 'cancelled'] as const;
export type JobStage = (typeof JOB_STAGES)[number];

export const ANALYSIS_TYPES = ['full'] as const;
export type AnalysisType = (typeof ANALYSIS_TYPES)[number];

export interface AnalyzeDocumentInput {
  documentId: string;
  analysisType: AnalysisType;
  options?: AnalyzeDocumentOptions;
  /** Key of this request in the analysis cache; the job reads it first and stores its answer under it. */
  cacheKey?: string;
  /** The starter read the cache under `cacheKey` just before starting (and missed): the job does not read it again. */
  cacheChecked?: boolean;
  /**
   * The fallback chain, planned by the starter from the provider settings it shares with the workers
   * (saves the job a local activity); without it the job plans in a local activity on its worker.
   */
  plan?: ProviderStep[];
  /** The job workflow's code revision the starter asked for (JOB_WORKFLOW_REVISION); absent in runs started before it existed. */
  revision?: number;
}

/**
 * Jobs started with this revision take today's path without patch checks, so a new run records no
 * patch markers and no TemporalChangeVersion upserts (4 of a job's 19 history events). Runs started
 * without it replay through the patched() checks they were recorded with (workflows/analyze-document.ts).
 */
export const JOB_WORKFLOW_REVISION = 2;

export interface AnalyzeDocumentOptions {
  /** The model tier asked for; operation mode may lower it (recorded per step in the chain). */
  tier?: ModelTier;
  /** Upper bound for the answer's length; the provider's configured MAX_TOKENS applies when lower. */
  maxTokens?: number;
  /** The client key's budget (scope = its principal id, and its limits): every provider request and batch item is reserved against it. */
  budget?: { scope: string; limits: BudgetLimit[] };
}

/** One step of the fallback chain: a provider tried with its own retry policy. */
export interface ProviderAttempt {
  provider: ProviderName;
  model?: string;
  tier?: ModelTier;
  /** `cancelled`: the job was cancelled while this step ran (or waited to retry). */
  outcome: 'succeeded' | 'failed' | 'cancelled';
  /** Attempts made with this provider (1 = no retry). */
  attempts?: number;
  /** Type of the failure that ended this step. */
  errorType?: string;
  errorMessage?: string;
  /** Error type of each failed attempt, oldest first. */
  attemptErrors?: string[];
  inputTokens?: number;
  outputTokens?: number;
  /** Prompt-cache tokens (part of inputTokens) and the step's exact cost in nano-dollars, every attempt included. */
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  costNanoUsd?: number;
  /** Tokens and cost per attempt of this step (remote providers). */
  attemptSpend?: AttemptSpend[];
  /** `batch`: this step went through the provider's batch API (half price); absent: a synchronous call. */
  route?: AnalysisRoute;
}

export interface TokenTotals {
  input: number;
  output: number;
  /** Prompt-cache reads and writes, included in `input`. */
  cacheRead?: number;
  cacheWrite?: number;
}

export interface JobProgress {
  stage: JobStage;
  documentId: string;
  provider?: ProviderName;
  chain: ProviderAttempt[];
  /** Tokens of every attempt of every step, the failed ones included. */
  tokens?: TokenTotals;
  /** Exact cost of every attempt of every step in nano-dollars (1e-9 USD); a cache hit costs 0. */
  costNanoUsd?: number;
  /** Answered from the analysis cache, no provider called. */
  cached?: boolean;
  /** The provider step's next attempt after a failed one, as the activity reported it (cleared when the step ends). */
  currentAttempt?: RetryingAttempt;
  /**
   * Counts the changes a client can see (stage, provider, chain); absent in runs started before
   * progress was published (see EVENT_DRIVEN_PROGRESS_PATCH).
   */
  version?: number;
  /** Which way the answer came: `batch` (a provider batch API, half price) or `sync`; absent in jobs that never tried batch. */
  route?: AnalysisRoute;
  /** What the batch answer cost at the batch price and saved against the synchronous one (route `batch`). */
  savings?: BatchSavings;
  /** The provider batch this job waits on, while it does. */
  providerBatch?: ProviderBatchState;
}

/**
 * The job as its run completes, carried in the run's result: the close event alone then answers a
 * read of the finished job (the API strips it from the result it shows).
 */
export interface FinishedJob {
  progress: JobProgress;
  runId: string;
  /** The run's start, as its WorkflowExecutionStarted event records it (ISO 8601, milliseconds). */
  startedAt: string;
}

/** What a job's run returns: the analysis, and from runs that publish progress, the finished job. */
export type JobResult = AnalysisResult & { job?: FinishedJob };

export interface ProviderBatchState {
  provider: ProviderName;
  batchId?: string;
  status: 'submitting' | 'waiting' | 'collecting' | 'ended' | 'failed';
}

/** A request that asked for the half-price route (`deferred: true`). */
export interface AnalyzeDeferredDocumentInput extends AnalyzeDocumentInput {
  plan: ProviderStep[];
  schedule: DeferredSchedule;
}

export interface RetryingAttempt {
  provider: ProviderName;
  attempt: number;
  lastFailure?: string;
}

/** Sent by a provider activity whose attempt failed and will be retried, so waiting clients see it at once. */
export interface ProviderAttemptFailed {
  provider: ProviderName;
  /** The attempt that failed (1-based). */
  attempt: number;
  errorType: string;
}

export interface BatchItem {
  documentId: string;
  cacheKey?: string;
}

export interface AnalyzeBatchInput {
  items: BatchItem[];
  analysisType: AnalysisType;
  options?: AnalyzeDocumentOptions;
  /** Children running at once (the rest wait their turn). */
  concurrency: number;
  /** Handed to every child (see AnalyzeDocumentInput.plan). */
  plan?: ProviderStep[];
}

export interface AnalyzeDeferredBatchInput extends AnalyzeBatchInput {
  plan: ProviderStep[];
  schedule: DeferredSchedule;
}

export interface BatchChild {
  documentId: string;
  /** The child job; absent for a document answered by the provider batch (its answer is in the cache). */
  jobId?: string;
  status: JobStatus;
  provider?: string;
  errorType?: string;
  /** Deferred batches: `batch` (answered by the provider batch) or `sync` (a child job, after a batch error). */
  route?: AnalysisRoute;
}

export interface BatchProgress {
  total: number;
  counts: Record<JobStatus, number>;
  /** The most children seen running at once (never above the input's concurrency). */
  peakRunning: number;
  children: BatchChild[];
  /** Deferred batches: the provider batch, and what its answers cost at the batch price and saved. */
  providerBatch?: ProviderBatchState;
  savings?: BatchSavings;
}

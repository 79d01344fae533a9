/** Pure mapping from what Temporal reports about a run to the job status a client sees. */
import type { AnalysisResult } from '../shared/core/analysis-result';
import type { JobProgress, JobStage, JobStatus, TokenTotals } from '../shared/core/job-types';
import { usdOf } from '../shared/core/spend/prices';

export type ExecutionStatusName =
  | 'RUNNING'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED'
  | 'TERMINATED'
  | 'CONTINUED_AS_NEW'
  | 'TIMED_OUT'
  | 'PAUSED'
  | 'UNKNOWN'
  | 'UNSPECIFIED';

export interface JobView {
  jobId: string;
  status: JobStatus;
  stage: JobStage;
  documentId?: string;
  provider?: string;
  chain: JobProgress['chain'];
  /** Tokens of every provider attempt of this job, failed ones included. */
  tokens: TokenTotals;
  /** Exact cost of those attempts (nano-dollars) and the same in dollars; a cache hit costs 0. */
  cost?: JobCost;
  /** While a provider step runs: which attempt it is on and why the previous one failed. */
  currentAttempt?: { provider?: string; attempt: number; lastFailure?: string };
  result?: AnalysisResult;
  error?: { type: string; message: string };
  startedAt?: string;
  closedAt?: string;
  links: { self: string; ui: string };
  /** Deferred jobs: the half-price route taken (see JobProgress.route), the tokens it discounted, the provider batch. */
  route?: JobProgress['route'];
  savings?: JobProgress['savings'];
  providerBatch?: JobProgress['providerBatch'];
  /** Changes whenever status, stage, provider, chain or attempt change: pass it back as `?since=` when long-polling. */
  version: string;
}

export interface JobCost {
  nanoUsd: number;
  usd: number;
}

export const jobCostOf = (nanoUsd: number | undefined): JobCost => ({ nanoUsd: nanoUsd ?? 0, usd: usdOf(nanoUsd ?? 0) });

export function jobStatusOf(execution: ExecutionStatusName, progress: Pick<JobProgress, 'stage'> | undefined): JobStatus {
  switch (execution) {
    case 'COMPLETED':
      return 'completed';
    case 'CANCELLED':
      return 'cancelled';
    case 'FAILED':
    case 'TERMINATED':
    case 'TIMED_OUT':
      return 'failed';
    default:
      // Open: until a worker has run the first workflow task there is no progress to read.
      return progress === undefined || progress.stage === 'queued' ? 'queued' : 'running';
  }
}

/** The stage shown for a closed run; an open run reports the stage from its own progress query. */
export function stageOf(status: JobStatus, progress: JobProgress | undefined): JobStage {
  switch (status) {
    case 'completed':
    case 'failed':
    case 'cancelled':
      return status;
    default:
      return progress?.stage ?? 'queued';
  }
}


/** Job shapes shared by the API and the workflows (no Node built-ins: the workflow bundle includes this). */
import type { ProviderName } from './config';

export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const JOB_STAGES = ['queued', 'analyzing', 'completed', 'failed', 'cancelled'] as const;
export type JobStage = (typeof JOB_STAGES)[number];

export const ANALYSIS_TYPES = ['full'] as const;
export type AnalysisType = (typeof ANALYSIS_TYPES)[number];

export interface AnalyzeDocumentInput {
  documentId: string;
  analysisType: AnalysisType;
}

export interface ProviderAttempt {
  provider: ProviderName;
  model?: string;
  outcome: 'succeeded' | 'failed';
  attempts?: number;
  errorType?: string;
}

export interface JobProgress {
  stage: JobStage;
  documentId: string;
  provider?: ProviderName;
  chain: ProviderAttempt[];
}

/** What the HTTP API answers, in the server's own types (type-only imports: no server code is loaded). */
import type { JobView } from '../../api/job-view';
import type { AnalysisResult } from '../../shared/core/analysis-result';
import type { TokenTotals } from '../../shared/core/job-types';
import type { AuditEntry } from '../../shared/core/operation-mode/audit';
import type { OperationModeView } from '../../shared/core/operation-mode/view';
import type { DocumentSummary } from '../../shared/adapters/documents/document-store';

export type { AnalysisResult, AuditEntry, DocumentSummary, JobView, OperationModeView };

/** POST /api/analyze: 200 when the cache already had the answer, 202 when a job was started. */
export type AnalyzeAnswer =
  | { kind: 'cached'; body: CachedAnalysis }
  | { kind: 'started'; body: StartedJob };

export type StartedJob = JobView & { documentId: string; tier?: string };

export interface CachedAnalysis {
  status: 'completed';
  cached: true;
  documentId: string;
  tokens: TokenTotals;
  /** A cache hit costs nothing. */
  cost?: { nanoUsd: number; usd: number };
  result: AnalysisResult;
}

export interface CancelAnswer {
  jobId: string;
  status: string;
}

export type OperationModeAnswer = OperationModeView & { transitionCount?: number; audit?: AuditEntry[] };

/** PUT /api/operation-mode and DELETE /api/operation-mode/override: the change, then the mode as it now is. */
export type ModeChangeAnswer = OperationModeView & { transitions: AuditEntry[] };

export interface OverrideRequest {
  mode: string;
  reason: string;
  severity?: string;
  expiresAt?: string;
}

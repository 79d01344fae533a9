/**
 * Names shared by the API, the workers and the workflows. Nothing here may import Node built-ins:
 * the workflow bundle includes this file.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BatchProgress, JobProgress, ProviderAttemptFailed } from './job-types';

export const WORKFLOW_TYPES = {
  analyzeDocument: 'analyzeDocument',
  analyzeBatch: 'analyzeBatch',
  /** `deferred: true` requests: the provider batch API first (half price), the sync chain for what it does not answer. */
  analyzeDeferredDocument: 'analyzeDeferredDocument',
  analyzeDeferredBatch: 'analyzeDeferredBatch',
} as const;

export const BATCH_ID_PREFIX = 'batch-';

export const JOB_ID_PREFIX = 'analysis-';

export const jobProgressQuery = defineQuery<JobProgress>('jobProgress');
export const providerAttemptFailedSignal = defineSignal<[ProviderAttemptFailed]>('providerAttemptFailed');
/** Memo field holding the job's JobProgress, published by the workflow once per workflow task: reads need no query. */
export const JOB_PROGRESS_MEMO_KEY = 'jobProgress';
export const batchProgressQuery = defineQuery<BatchProgress>('batchProgress');

/** Custom search attributes, registered on the dev server and upserted by the workflows. */
export const SEARCH_ATTRIBUTES = {
  documentId: defineSearchAttributeKey('DocumentId', SearchAttributeType.KEYWORD),
  analysisType: defineSearchAttributeKey('AnalysisType', SearchAttributeType.KEYWORD),
  provider: defineSearchAttributeKey('LlmProvider', SearchAttributeType.KEYWORD),
  operationMode: defineSearchAttributeKey('OperationMode', SearchAttributeType.KEYWORD),
  jobStatus: defineSearchAttributeKey('JobStatus', SearchAttributeType.KEYWORD),
} as const;

const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** `--search-attribute NAME=Type` values for `temporal server start-dev` / `operator search-attribute create`. */
export const SEARCH_ATTRIBUTE_REGISTRATIONS: string[] = Object.values(SEARCH_ATTRIBUTES).map(
  (key) => `${key.name}=${CLI_TYPE_NAMES[key.type]}`,
);

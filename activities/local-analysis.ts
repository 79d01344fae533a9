import { ApplicationFailure, Context } from '@temporalio/activity';
import { analysisResultSchema, type AnalysisResult } from '../shared/core/analysis-result';
import type { AnalysisCache } from '../shared/adapters/analysis-cache';
import type { DocumentStore } from '../shared/adapters/documents/document-store';
import { storeStepAnswer } from './store-step-answer';
import { FAILURE_TYPES } from '../shared/core/failure-types';
import { analyzeLocally, LOCAL_ANALYZER_MODEL } from '../shared/core/local-analyzer';

export interface LocalAnalysisRequest {
  documentId: string;
  /** Store the answer in the analysis cache under this key (the job's first step: nothing failed before it). */
  storeUnderCacheKey?: string;
}

export function createLocalAnalysisActivities({ documents, cache }: { documents: DocumentStore; cache: AnalysisCache }) {
  return {
    /** The extractive analyzer: needs no API key, the no-key default and the last-resort fallback. */
    async analyzeWithLocalAnalyzer({ documentId, storeUnderCacheKey }: LocalAnalysisRequest): Promise<AnalysisResult> {
      const document = await documents.get(documentId);
      if (!document) {
        throw ApplicationFailure.nonRetryable(`document ${documentId} does not exist`, FAILURE_TYPES.documentNotFound);
      }
      const started = performance.now();
      const content = analyzeLocally(document.content);
      const result = analysisResultSchema.parse({
        ...content,
        meta: {
          provider: 'local',
          model: LOCAL_ANALYZER_MODEL,
          inputTokens: 0,
          outputTokens: 0,
          latencyMs: Math.round(performance.now() - started),
          cached: false,
          attempts: Context.current().info.attempt,
        },
      });
      await storeStepAnswer(cache, storeUnderCacheKey, documentId, result);
      return result;
    },
  };
}


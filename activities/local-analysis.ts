import { ApplicationFailure, Context } from '@temporalio/activity';
import { analysisResultSchema, type AnalysisResult } from '../shared/core/analysis-result';
import type { AnalysisCache } from '../shared/adapters/analysis-cache';
import type { DocumentStore } from '../shared/adapters/documents/document-store';
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
      await storeInCache(cache, storeUnderCacheKey, documentId, result);
      return result;
    },
  };
}

/**
 * Stores a step's answer where the job asked, inside the activity that produced it: the workflow needs
 * no local activity (and no extra round trip) to do it. A cache that cannot store never fails the step.
 */
export async function storeInCache(cache: AnalysisCache, key: string | undefined, documentId: string, result: AnalysisResult): Promise<void> {
  if (key) await cache.write(key, documentId, result, []).catch(() => false);
}

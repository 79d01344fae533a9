import { ApplicationFailure, Context } from '@temporalio/activity';
import { analysisResultSchema, type AnalysisResult } from '../shared/analysis-result';
import type { DocumentStore } from '../shared/document-store';
import { FAILURE_TYPES } from '../shared/failure-types';
import { analyzeLocally, LOCAL_ANALYZER_MODEL } from '../shared/local-analyzer';

export interface LocalAnalysisRequest {
  documentId: string;
}

export function createLocalAnalysisActivities({ documents }: { documents: DocumentStore }) {
  return {
    /** The extractive analyzer: needs no API key, the no-key default and the last-resort fallback. */
    async analyzeWithLocalAnalyzer({ documentId }: LocalAnalysisRequest): Promise<AnalysisResult> {
      const document = await documents.get(documentId);
      if (!document) {
        throw ApplicationFailure.nonRetryable(`document ${documentId} does not exist`, FAILURE_TYPES.documentNotFound);
      }
      const started = performance.now();
      const content = analyzeLocally(document.content);
      return analysisResultSchema.parse({
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
    },
  };
}

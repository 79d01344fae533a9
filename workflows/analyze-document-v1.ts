/**
 * The first release's body of analyzeDocument (local analyzer only), kept so workflows started by it
 * still replay. Remove once no such workflow can be open or replayed (see FALLBACK_CHAIN_PATCH).
 */
import { applicationFailureOf } from '../shared/core/failure-types';
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AnalysisResult } from '../shared/core/analysis-result';
import type { AnalyzeDocumentInput, JobProgress } from '../shared/core/job-types';
import { SEARCH_ATTRIBUTES } from '../shared/core/names';

const { analyzeWithLocalAnalyzer } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3, initialInterval: '1 second', backoffCoefficient: 2 },
});

export async function analyzeWithLocalAnalyzerOnly(
  input: AnalyzeDocumentInput,
  progress: JobProgress,
  markAnalyzing: () => void,
): Promise<AnalysisResult> {
  progress.provider = 'local';
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.provider, value: 'local' }]);
  markAnalyzing();
  try {
    const result = await analyzeWithLocalAnalyzer({ documentId: input.documentId });
    progress.chain.push({ provider: 'local', model: result.meta.model, outcome: 'succeeded', attempts: result.meta.attempts });
    return result;
  } catch (error) {
    progress.chain.push({ provider: 'local', outcome: 'failed', errorType: applicationFailureOf(error)?.type ?? undefined });
    throw error;
  }
}

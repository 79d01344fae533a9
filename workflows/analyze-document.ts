import {
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AnalysisResult } from '../shared/analysis-result';
import type { AnalyzeDocumentInput, JobProgress, JobStage, JobStatus } from '../shared/job-types';
import { applicationFailureOf } from '../shared/failure-types';
import { jobProgressQuery, SEARCH_ATTRIBUTES } from '../shared/names';

const { analyzeWithLocalAnalyzer } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3, initialInterval: '1 second', backoffCoefficient: 2 },
});

export async function analyzeDocument(input: AnalyzeDocumentInput): Promise<AnalysisResult> {
  const progress: JobProgress = { stage: 'queued', documentId: input.documentId, chain: [] };
  setHandler(jobProgressQuery, () => progress);

  const moveTo = (stage: JobStage, status: JobStatus) => {
    progress.stage = stage;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.jobStatus, value: status }]);
  };

  try {
    progress.provider = 'local';
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.provider, value: 'local' }]);
    moveTo('analyzing', 'running');
    const result = await analyzeWithLocalAnalyzer({ documentId: input.documentId });
    progress.chain.push({ provider: 'local', model: result.meta.model, outcome: 'succeeded', attempts: result.meta.attempts });
    moveTo('completed', 'completed');
    return result;
  } catch (error) {
    if (isCancellation(error)) {
      moveTo('cancelled', 'cancelled');
      throw error;
    }
    const errorType = applicationFailureOf(error)?.type ?? undefined;
    progress.chain.push({ provider: 'local', outcome: 'failed', errorType });
    moveTo('failed', 'failed');
    throw error;
  }
}

/**
 * A batch: one child analyzeDocument workflow per document, at most `concurrency` running at once.
 * A child's failure is recorded and the batch goes on; the batch completes when every child has ended.
 */
import { ApplicationFailure, isCancellation, setHandler, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import type { AnalysisResult } from '../shared/core/analysis-result';
import { applicationFailureOf } from '../shared/core/failure-types';
import { JOB_WORKFLOW_REVISION, type AnalyzeBatchInput, type BatchChild, type BatchItem, type BatchProgress, type JobStatus } from '../shared/core/job-types';
import { batchProgressQuery, JOB_ID_PREFIX, SEARCH_ATTRIBUTES } from '../shared/core/names';
import type { analyzeDocument } from './analyze-document';

export async function analyzeBatch(input: AnalyzeBatchInput): Promise<BatchProgress> {
  if (input.items.length === 0 || input.concurrency < 1) {
    throw ApplicationFailure.nonRetryable('a batch needs at least one document and a concurrency of at least 1', 'InvalidBatch');
  }
  const children: BatchChild[] = input.items.map((item) => ({ documentId: item.documentId, jobId: `${JOB_ID_PREFIX}${uuid4()}`, status: 'queued' }));
  let running = 0;
  let peakRunning = 0;
  const progress = (): BatchProgress => ({ total: children.length, counts: countByStatus(children), peakRunning, children });
  setHandler(batchProgressQuery, progress);

  const runChild = async (index: number) => {
    running++;
    peakRunning = Math.max(peakRunning, running);
    try {
      await runChildJob(children[index]!, input.items[index]!, input, `document ${index + 1}/${children.length}`);
    } finally {
      running--;
    }
  };
  await inLanes(children.length, input.concurrency, runChild);
  return progress();
}

/** A fixed pool of `concurrency` lanes, each taking the next waiting index: deterministic order. */
export async function inLanes(count: number, concurrency: number, run: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await run(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

/** One document as a child analyzeDocument job (its id in `child.jobId`); its outcome is recorded on `child`. */
export async function runChildJob(child: BatchChild, item: BatchItem, input: AnalyzeBatchInput, position: string): Promise<void> {
  child.status = 'running';
  try {
    const handle = await startChild<typeof analyzeDocument>('analyzeDocument', {
      workflowId: child.jobId,
      args: [{ documentId: item.documentId, analysisType: input.analysisType, options: input.options, cacheKey: item.cacheKey, ...(input.plan && { plan: input.plan }), revision: JOB_WORKFLOW_REVISION }],
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.documentId, value: item.documentId },
        { key: SEARCH_ATTRIBUTES.analysisType, value: input.analysisType },
        { key: SEARCH_ATTRIBUTES.jobStatus, value: 'queued' },
      ],
      staticSummary: `Batch ${workflowInfo().workflowId}: ${position} (${item.documentId})`,
    });
    const result: AnalysisResult = await handle.result();
    child.status = 'completed';
    child.provider = result.meta.provider;
  } catch (error) {
    if (isCancellation(error)) {
      child.status = 'cancelled';
      throw error;
    }
    child.status = 'failed';
    child.errorType = applicationFailureOf(error)?.type ?? (error as Error).name;
  }
}

export function countByStatus(children: BatchChild[]): Record<JobStatus, number> {
  const counts: Record<JobStatus, number> = { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
  for (const child of children) counts[child.status]++;
  return counts;
}

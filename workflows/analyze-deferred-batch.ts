/**
 * A deferred batch: answers from the cache first, then one provider batch (half price) for the rest;
 * each document the batch does not answer with a valid analysis becomes a child analyzeDocument job
 * (the sync chain), at most `concurrency` at once. Answers come back in the cache and in the children.
 */
import { ApplicationFailure, proxyLocalActivities, setHandler, uuid4 } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AnalyzeDeferredBatchInput, BatchChild, BatchProgress, ProviderBatchState } from '../shared/core/job-types';
import { batchProgressQuery, JOB_ID_PREFIX } from '../shared/core/names';
import { batchItemId, batchSavingsOf, batchStepOf, type BatchSavings } from '../shared/core/providers/batch-route';
import { countByStatus, inLanes, runChildJob } from './analyze-batch';
import { runProviderBatchRound } from './provider-batch-round';

const { readCachedAnalysis } = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3 } });

export async function analyzeDeferredBatch(input: AnalyzeDeferredBatchInput): Promise<BatchProgress> {
  if (input.items.length === 0 || input.concurrency < 1) {
    throw ApplicationFailure.nonRetryable('a batch needs at least one document and a concurrency of at least 1', 'InvalidBatch');
  }
  const children: BatchChild[] = input.items.map((item) => ({ documentId: item.documentId, status: 'queued' }));
  let providerBatch: ProviderBatchState | undefined;
  let savings: BatchSavings | undefined;
  let running = 0;
  let peakRunning = 0;
  const progress = (): BatchProgress => ({
    total: children.length,
    counts: countByStatus(children),
    peakRunning,
    children,
    ...(providerBatch && { providerBatch }),
    ...(savings && { savings }),
  });
  setHandler(batchProgressQuery, progress);

  const cached = await Promise.all(input.items.map((item) => (item.cacheKey ? readCachedAnalysis({ key: item.cacheKey }) : null)));
  const pending: number[] = [];
  cached.forEach((answer, index) => {
    const child = children[index]!;
    if (answer) Object.assign(child, { status: 'completed', provider: answer.meta.provider });
    else pending.push(index);
  });

  const step = batchStepOf(input.plan);
  const fallback: number[] = step ? [] : pending;
  if (step && pending.length > 0) {
    for (const index of pending) Object.assign(children[index]!, { status: 'running', route: 'batch' });
    const outcomes = await runProviderBatchRound({
      provider: step.provider,
      analysisType: input.analysisType,
      tier: input.options?.tier ?? 'advanced',
      ...(input.options?.maxTokens !== undefined && { maxTokens: input.options.maxTokens }),
      items: pending.map((index) => ({ customId: batchItemId(index), documentId: input.items[index]!.documentId, ...(input.items[index]!.cacheKey && { cacheKey: input.items[index]!.cacheKey }) })),
      schedule: input.schedule,
      onState: (state) => (providerBatch = state),
    });
    const byId = new Map(outcomes.map((outcome) => [outcome.customId, outcome]));
    for (const index of pending) {
      const outcome = byId.get(batchItemId(index));
      const child = children[index]!;
      if (outcome?.ok) {
        Object.assign(child, { status: 'completed', provider: outcome.result.meta.provider });
        const { inputTokens, outputTokens } = outcome.result.meta;
        savings = batchSavingsOf({ inputTokens: (savings?.inputTokens ?? 0) + inputTokens, outputTokens: (savings?.outputTokens ?? 0) + outputTokens });
      } else {
        Object.assign(child, { status: 'queued', route: 'sync', errorType: outcome?.errorType });
        fallback.push(index);
      }
    }
  }

  await inLanes(fallback.length, input.concurrency, async (lane) => {
    const index = fallback[lane]!;
    const child = children[index]!;
    child.jobId = `${JOB_ID_PREFIX}${uuid4()}`;
    delete child.errorType;
    child.route = 'sync';
    running++;
    peakRunning = Math.max(peakRunning, running);
    try {
      await runChildJob(child, input.items[index]!, input, `document ${index + 1}/${children.length} (after the batch)`);
    } finally {
      running--;
    }
  });
  return progress();
}

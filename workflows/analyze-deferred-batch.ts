/**
 * A deferred batch: answers from the cache first, then one provider batch (half price) for the rest;
 * each document the batch does not answer with a valid analysis becomes a child analyzeDocument job
 * (the sync chain), at most `concurrency` at once. A document the budget cannot hold in the batch
 * becomes a child at once, on the chain past the batch provider. Answers come back in the cache and in the children.
 */
import { ApplicationFailure, proxyLocalActivities, setHandler, uuid4 } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AnalyzeDeferredBatchInput, BatchChild, BatchProgress, ProviderBatchState } from '../shared/core/job-types';
import { batchProgressQuery, JOB_ID_PREFIX } from '../shared/core/names';
import { batchItemId, batchStepOf } from '../shared/core/providers/batch-route';
import type { ProviderStep } from '../shared/core/providers/plan';
import { PROVIDER_FAILURE_TYPES } from '../shared/core/resilience/classify-provider-error';
import { addSavings, type BatchSavings } from '../shared/core/spend/batch-spend';
import { countByStatus, inLanes, runChildJob } from './analyze-batch';
import { isBudgetRefusal, runProviderBatchRound } from './provider-batch-round';

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
  /** Children of the sync chain, at most `concurrency` at once; `plan` without the batch step for documents the budget refused. */
  const runChildren = (indices: number[], plan: ProviderStep[], stored: boolean) =>
    inLanes(indices.length, input.concurrency, async (lane) => {
      const index = indices[lane]!;
      const child = children[index]!;
      child.jobId = `${JOB_ID_PREFIX}${uuid4()}`;
      delete child.errorType;
      child.route = 'sync';
      running++;
      peakRunning = Math.max(peakRunning, running);
      try {
        const { documentId, cacheKey } = input.items[index]!;
        await runChildJob(child, { documentId, ...(stored && cacheKey && { cacheKey }) }, { ...input, plan }, `document ${index + 1}/${children.length} (after the batch)`);
      } finally {
        running--;
      }
    });
  const fallback: number[] = step ? [] : pending;
  let pastTheBudget: Promise<void> = Promise.resolve();
  if (step && pending.length > 0) {
    for (const index of pending) Object.assign(children[index]!, { status: 'running', route: 'batch' });
    const outcomes = await runProviderBatchRound({
      provider: step.provider,
      analysisType: input.analysisType,
      tier: input.options?.tier ?? 'advanced',
      ...(input.options?.maxTokens !== undefined && { maxTokens: input.options.maxTokens }),
      items: pending.map((index) => ({ customId: batchItemId(index), documentId: input.items[index]!.documentId, ...(input.items[index]!.cacheKey && { cacheKey: input.items[index]!.cacheKey }) })),
      schedule: input.schedule,
      ...(input.options?.budget && { budget: input.options.budget }),
      onState: (state) => (providerBatch = state),
      // As a sync step the budget refuses: on down the chain past the batch provider, now, without waiting for the batch.
      onRefused: (refused) => {
        const indices = pending.filter((index) => refused.some((outcome) => outcome.customId === batchItemId(index)));
        const rest = input.plan.filter((candidate) => candidate !== step);
        for (const index of indices) Object.assign(children[index]!, { status: rest.length > 0 ? 'queued' : 'failed', route: 'sync', errorType: PROVIDER_FAILURE_TYPES.budgetExceeded });
        if (rest.length > 0) pastTheBudget = runChildren(indices, rest, false);
      },
    });
    const byId = new Map(outcomes.map((outcome) => [outcome.customId, outcome]));
    for (const index of pending) {
      const outcome = byId.get(batchItemId(index));
      if (isBudgetRefusal(outcome)) continue;
      if (outcome?.savings) savings = addSavings(savings, outcome.savings);
      const child = children[index]!;
      if (outcome?.ok) {
        Object.assign(child, { status: 'completed', provider: outcome.result.meta.provider });
      } else {
        Object.assign(child, { status: 'queued', route: 'sync', errorType: outcome?.errorType });
        fallback.push(index);
      }
    }
  }
  await pastTheBudget;
  await runChildren(fallback, input.plan, true);
  return progress();
}

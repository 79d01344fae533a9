/**
 * One round through a provider's batch API, as workflow code: submit (activity), wait with a timer and
 * check (activity) every poll interval — no worker slot is held in between — then collect and validate
 * every item (activity). What cannot be answered this way comes back as a failed outcome, never as an
 * exception, so the caller sends each such item down the sync chain.
 */
import { CancellationScope, isCancellation, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BatchItemOutcome, BatchItemRef, SubmittedAnalysisBatch } from '../activities/provider-batch';
import { applicationFailureOf, FAILURE_TYPES } from '../shared/core/failure-types';
import type { AnalysisType, ProviderBatchState } from '../shared/core/job-types';
import { pollsWithin, type BatchProviderName, type DeferredSchedule } from '../shared/core/providers/batch-route';
import type { ModelTier } from '../shared/core/providers/catalog';

const batchApi = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 5, initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export interface BatchRoundRequest {
  provider: BatchProviderName;
  analysisType: AnalysisType;
  tier: ModelTier;
  maxTokens?: number;
  items: BatchItemRef[];
  schedule: DeferredSchedule;
  /** Told each time the provider batch moves on, so the job can publish it. */
  onState(state: ProviderBatchState): void;
}

export async function runProviderBatchRound(request: BatchRoundRequest): Promise<BatchItemOutcome[]> {
  const { provider, items, schedule, onState } = request;
  const failAll = (errorType: string, message: string, only: BatchItemRef[] = items): BatchItemOutcome[] =>
    only.map(({ customId }) => ({ customId, ok: false, errorType, message, inputTokens: 0, outputTokens: 0 }));

  onState({ provider, status: 'submitting' });
  let batch: SubmittedAnalysisBatch;
  try {
    batch = await batchApi.submitAnalysisBatch({
      provider,
      analysisType: request.analysisType,
      tier: request.tier,
      ...(request.maxTokens !== undefined && { maxTokens: request.maxTokens }),
      items,
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
    onState({ provider, status: 'failed' });
    const failure = applicationFailureOf(error);
    return failAll(failure?.type ?? FAILURE_TYPES.batchFailed, `could not submit the ${provider} batch: ${failure?.message ?? (error as Error).message}`);
  }
  const missing = failAll(FAILURE_TYPES.documentNotFound, 'the document does not exist', items.filter((item) => batch.missing.includes(item.customId)));
  const sent = items.filter((item) => !batch.missing.includes(item.customId));
  if (sent.length === 0) return missing;

  const ref = { provider, batchId: batch.batchId };
  onState({ ...ref, status: 'waiting' });
  let ended = false;
  try {
    for (let poll = 0; poll < pollsWithin(schedule) && !ended; poll++) {
      await sleep(schedule.pollIntervalMs);
      // A check that fails after its retries is tried again at the next interval.
      ended = await batchApi.checkAnalysisBatch(ref).then(({ ended }) => ended, (error: unknown) => {
        if (isCancellation(error)) throw error;
        return false;
      });
    }
  } catch (error) {
    // A cancelled job withdraws its batch: the provider stops (and bills only what it already answered).
    if (isCancellation(error)) await CancellationScope.nonCancellable(() => batchApi.cancelAnalysisBatch(ref).catch(() => undefined));
    throw error;
  }
  if (!ended) {
    await batchApi.cancelAnalysisBatch(ref).catch(() => undefined);
    onState({ ...ref, status: 'failed' });
    return [...missing, ...failAll(FAILURE_TYPES.batchItemExpired, `no answer from the ${provider} batch within ${Math.round(schedule.maxWaitMs / 1000)} s`, sent)];
  }
  onState({ ...ref, status: 'collecting' });
  try {
    const outcomes = await batchApi.collectAnalysisBatch({ provider, batch, items: sent });
    onState({ ...ref, status: 'ended' });
    return [...missing, ...outcomes];
  } catch (error) {
    if (isCancellation(error)) throw error;
    onState({ ...ref, status: 'failed' });
    return [...missing, ...failAll(FAILURE_TYPES.batchFailed, `could not read the ${provider} batch results: ${(error as Error).message}`, sent)];
  }
}

/**
 * One round through a provider's batch API, as workflow code: submit (activity: each item's worst case
 * is reserved in the budgets first; what they cannot hold is not sent), wait with a timer and check
 * (activity) every poll interval — no worker slot is held in between — then collect and validate every
 * item (activity), and settle the reservations. What cannot be answered this way comes back as a failed
 * outcome, never as an exception, so the caller sends each such item down the sync chain.
 */
import { CancellationScope, isCancellation, patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BatchItemOutcome, BatchItemRef, SubmittedAnalysisBatch } from '../activities/provider-batch';
import { applicationFailureOf, FAILURE_TYPES } from '../shared/core/failure-types';
import type { AnalysisType, AnalyzeDocumentOptions, ProviderBatchState } from '../shared/core/job-types';
import { pollsWithin, type BatchProviderName, type DeferredSchedule } from '../shared/core/providers/batch-route';
import type { ModelTier } from '../shared/core/providers/catalog';
import { PROVIDER_FAILURE_TYPES } from '../shared/core/resilience/classify-provider-error';
import { batchReservationTtlMs, BATCH_SETTLE_MARGIN_MS } from '../shared/core/spend/batch-spend';
import type { Amount } from '../shared/core/spend/budget';

/**
 * Batch items are reserved in the budgets at submit and settled when the batch is over (a settle
 * activity after collect, expiry, a lost result or a cancel). Runs started before it replay without both.
 */
export const BATCH_BUDGET_PATCH = 'batch-budget-reservations';

const batchApi = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 5, initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Settling is retried for as long as the reservations surely live (they lapse by themselves after that). */
const settlement = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: BATCH_SETTLE_MARGIN_MS / 2,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export interface BatchRoundRequest {
  provider: BatchProviderName;
  analysisType: AnalysisType;
  tier: ModelTier;
  maxTokens?: number;
  items: BatchItemRef[];
  schedule: DeferredSchedule;
  /** The job's client budget: every item sent is reserved in it and in the global budget. */
  budget?: AnalyzeDocumentOptions['budget'];
  /** Told each time the provider batch moves on, so the job can publish it. */
  onState(state: ProviderBatchState): void;
  /** Told at once of the items the budget could not hold (not sent), so they need not wait for the batch. */
  onRefused?(refused: BatchItemOutcome[]): void;
}

export const isBudgetRefusal = (outcome: BatchItemOutcome | undefined): boolean => outcome?.ok === false && outcome.errorType === PROVIDER_FAILURE_TYPES.budgetExceeded;

export async function runProviderBatchRound(request: BatchRoundRequest): Promise<BatchItemOutcome[]> {
  const { provider, items, schedule, onState } = request;
  const budgeted = patched(BATCH_BUDGET_PATCH);
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
      ...(budgeted && { reserve: { ...(request.budget && { client: request.budget }), ttlMs: batchReservationTtlMs(schedule) } }),
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
    onState({ provider, status: 'failed' });
    const failure = applicationFailureOf(error);
    return failAll(failure?.type ?? FAILURE_TYPES.batchFailed, `could not submit the ${provider} batch: ${failure?.message ?? (error as Error).message}`);
  }
  const missing = failAll(FAILURE_TYPES.documentNotFound, 'the document does not exist', items.filter((item) => batch.missing.includes(item.customId)));
  const refused: BatchItemOutcome[] = (batch.refused ?? []).map(({ customId, message }) => ({ customId, ok: false, errorType: PROVIDER_FAILURE_TYPES.budgetExceeded, message, inputTokens: 0, outputTokens: 0 }));
  if (refused.length > 0) request.onRefused?.(refused);
  const notSent = new Set([...batch.missing, ...refused.map((outcome) => outcome.customId)]);
  const sent = items.filter((item) => !notSent.has(item.customId));
  if (sent.length === 0) {
    if (refused.length > 0) onState({ provider, status: 'failed' });
    return [...missing, ...refused];
  }

  /** Without `reported`, every item settles at its worst case: nothing was heard of it. Not cut short by a cancel. */
  const settle = async (reported?: Record<string, Amount>) => {
    const { reservation } = batch;
    if (!reservation) return;
    // Settling that fails past its retries leaves the reservations to lapse at their TTL.
    await CancellationScope.nonCancellable(() => settlement.settleAnalysisBatch({ reservation, ...(reported && { reported }) })).catch(() => undefined);
  };
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
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(async () => {
        await batchApi.cancelAnalysisBatch(ref).catch(() => undefined);
        await settle();
      });
    }
    throw error;
  }
  if (!ended) {
    await batchApi.cancelAnalysisBatch(ref).catch(() => undefined);
    await settle();
    onState({ ...ref, status: 'failed' });
    return [...missing, ...refused, ...failAll(FAILURE_TYPES.batchItemExpired, `no answer from the ${provider} batch within ${Math.round(schedule.maxWaitMs / 1000)} s`, sent)];
  }
  onState({ ...ref, status: 'collecting' });
  let outcomes: BatchItemOutcome[];
  try {
    outcomes = await batchApi.collectAnalysisBatch({ provider, batch, items: sent });
  } catch (error) {
    await settle();
    if (isCancellation(error)) throw error;
    onState({ ...ref, status: 'failed' });
    return [...missing, ...refused, ...failAll(FAILURE_TYPES.batchFailed, `could not read the ${provider} batch results: ${(error as Error).message}`, sent)];
  }
  await settle(Object.fromEntries(outcomes.flatMap((outcome) => (outcome.charge ? [[outcome.customId, outcome.charge]] : []))));
  onState({ ...ref, status: 'ended' });
  return [...missing, ...refused, ...outcomes];
}

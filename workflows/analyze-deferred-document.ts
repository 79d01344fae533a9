/**
 * A `deferred: true` analysis: the provider's batch API first (half price, answered within 24 h), the
 * sync chain (analyzeDocument's) when the batch does not answer with a valid analysis; past the batch
 * provider when the budget could not hold the batch item.
 */
import { ApplicationFailure, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AnalysisResult } from '../shared/core/analysis-result';
import type { AnalyzeDeferredDocumentInput, JobProgress, JobResult } from '../shared/core/job-types';
import { FAILURE_TYPES } from '../shared/core/failure-types';
import { jobProgressQuery } from '../shared/core/names';
import { batchItemId, batchStepOf } from '../shared/core/providers/batch-route';
import type { ProviderName } from '../shared/core/providers/catalog';
import type { ProviderStep } from '../shared/core/providers/plan';
import { PROVIDER_FAILURE_TYPES } from '../shared/core/resilience/classify-provider-error';
import { stepSpendOf } from '../shared/core/spend/step-spend';
import { eventDrivenReporter, recordStep, reportingTheEnd, runProviders, showRetriesAsTheyHappen } from './analyze-document';
import { isBudgetRefusal, runProviderBatchRound } from './provider-batch-round';

const { readCachedAnalysis } = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3 } });

export async function analyzeDeferredDocument(input: AnalyzeDeferredDocumentInput): Promise<JobResult> {
  const progress: JobProgress = { stage: 'queued', documentId: input.documentId, chain: [], tokens: { input: 0, output: 0 }, version: 0 };
  setHandler(jobProgressQuery, () => progress);
  const reporter = eventDrivenReporter(progress);
  showRetriesAsTheyHappen(progress, reporter);
  return reportingTheEnd(reporter, async () => {
    reporter.moveTo('analyzing', 'running');
    const answer = (await answerFromCache(input, progress)) ?? (await answerThroughBatch(input, progress, reporter));
    if (answer === REFUSED) return answerPastTheBudget(input, progress, reporter);
    return answer ?? answerSync(input, progress, reporter);
  });
}

async function answerFromCache(input: AnalyzeDeferredDocumentInput, progress: JobProgress): Promise<AnalysisResult | undefined> {
  if (!input.cacheKey || input.cacheChecked) return undefined;
  const cached = await readCachedAnalysis({ key: input.cacheKey });
  if (!cached) return undefined;
  progress.provider = cached.meta.provider as ProviderName;
  progress.cached = true;
  return cached;
}

type Reporter = ReturnType<typeof eventDrivenReporter>;

/** The budget could not hold the batch item: it was not sent. */
const REFUSED = 'refused';

async function answerThroughBatch(input: AnalyzeDeferredDocumentInput, progress: JobProgress, reporter: Reporter): Promise<AnalysisResult | typeof REFUSED | undefined> {
  const step = batchStepOf(input.plan);
  if (!step) return undefined;
  const tier = input.options?.tier ?? 'advanced';
  progress.route = 'batch';
  reporter.useProvider(step.provider);
  const [outcome] = await runProviderBatchRound({
    provider: step.provider,
    analysisType: input.analysisType,
    tier,
    ...(input.options?.maxTokens !== undefined && { maxTokens: input.options.maxTokens }),
    items: [{ customId: batchItemId(0), documentId: input.documentId, ...(input.cacheKey && { cacheKey: input.cacheKey }) }],
    schedule: input.schedule,
    ...(input.options?.budget && { budget: input.options.budget }),
    onState: (state) => {
      progress.providerBatch = state;
      reporter.publish();
    },
  });
  if (outcome?.ok) {
    const { meta } = outcome.result;
    recordStep(progress, { provider: step.provider, model: meta.model, ...(meta.tier && { tier: meta.tier }), outcome: 'succeeded', attempts: 1, ...stepSpendOf(meta), route: 'batch' });
    if (outcome.savings) progress.savings = outcome.savings;
    return outcome.result;
  }
  recordStep(progress, {
    provider: step.provider,
    outcome: 'failed',
    attempts: 1,
    errorType: outcome?.errorType ?? FAILURE_TYPES.batchFailed,
    errorMessage: outcome?.errorType ? outcome.message : 'the batch returned no outcome',
    ...stepSpendOf(outcome?.ok === false ? outcome : {}),
    route: 'batch',
  });
  if (outcome?.savings) progress.savings = outcome.savings;
  if (isBudgetRefusal(outcome)) return REFUSED;
  if (outcome?.errorType === FAILURE_TYPES.documentNotFound) {
    throw ApplicationFailure.nonRetryable(`document ${input.documentId} does not exist`, FAILURE_TYPES.documentNotFound);
  }
  return undefined;
}

/** The item the batch did not answer: the same chain a synchronous job walks, its answer stored under the job's key. */
async function answerSync(input: AnalyzeDeferredDocumentInput, progress: JobProgress, reporter: Reporter): Promise<AnalysisResult> {
  progress.route = 'sync';
  // A chain that starts after a failed batch step still stores its first answer: the batch stored nothing.
  const chainBefore = progress.chain;
  progress.chain = [];
  try {
    return await runProviders(input, progress, reporter, true);
  } finally {
    progress.chain = [...chainBefore, ...progress.chain];
  }
}

/**
 * As a synchronous step the budget refuses: the job moves on down its chain past the batch provider (to
 * `local` at no cost), its answer not stored under the job's cache key; with nothing left it fails BudgetExceeded.
 */
async function answerPastTheBudget(input: AnalyzeDeferredDocumentInput, progress: JobProgress, reporter: Reporter): Promise<AnalysisResult> {
  progress.route = 'sync';
  const batchStep = batchStepOf(input.plan);
  const rest: ProviderStep[] = input.plan.filter((step) => step !== batchStep);
  if (rest.length === 0) {
    const refusal = progress.chain.at(-1);
    throw ApplicationFailure.nonRetryable(`the budget cannot hold this analysis: ${refusal?.errorMessage}`, PROVIDER_FAILURE_TYPES.budgetExceeded);
  }
  const { cacheKey: _notStored, ...uncached } = input;
  return runProviders({ ...uncached, plan: rest }, progress, reporter, true);
}

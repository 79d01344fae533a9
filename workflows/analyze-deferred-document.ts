/**
 * A `deferred: true` analysis: the provider's batch API first (half price, answered within 24 h), the
 * sync chain (analyzeDocument's) when the batch does not answer with a valid analysis.
 */
import { ApplicationFailure, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AnalysisResult } from '../shared/core/analysis-result';
import type { AnalyzeDeferredDocumentInput, JobProgress } from '../shared/core/job-types';
import { FAILURE_TYPES } from '../shared/core/failure-types';
import { jobProgressQuery } from '../shared/core/names';
import { batchItemId, batchSavingsOf, batchStepOf } from '../shared/core/providers/batch-route';
import type { ProviderName } from '../shared/core/providers/catalog';
import { eventDrivenReporter, recordStep, reportingTheEnd, runProviders, showRetriesAsTheyHappen } from './analyze-document';
import { runProviderBatchRound } from './provider-batch-round';

const { readCachedAnalysis } = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3 } });

export async function analyzeDeferredDocument(input: AnalyzeDeferredDocumentInput): Promise<AnalysisResult> {
  const progress: JobProgress = { stage: 'queued', documentId: input.documentId, chain: [], tokens: { input: 0, output: 0 }, version: 0 };
  setHandler(jobProgressQuery, () => progress);
  const reporter = eventDrivenReporter(progress);
  showRetriesAsTheyHappen(progress, reporter);
  return reportingTheEnd(reporter, async () => {
    reporter.moveTo('analyzing', 'running');
    return (await answerFromCache(input, progress)) ?? (await answerThroughBatch(input, progress, reporter)) ?? answerSync(input, progress, reporter);
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

async function answerThroughBatch(input: AnalyzeDeferredDocumentInput, progress: JobProgress, reporter: Reporter): Promise<AnalysisResult | undefined> {
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
    onState: (state) => {
      progress.providerBatch = state;
      reporter.publish();
    },
  });
  if (outcome?.ok) {
    const { meta } = outcome.result;
    recordStep(progress, { provider: step.provider, model: meta.model, ...(meta.tier && { tier: meta.tier }), outcome: 'succeeded', attempts: 1, inputTokens: meta.inputTokens, outputTokens: meta.outputTokens, route: 'batch' });
    progress.savings = batchSavingsOf(meta);
    return outcome.result;
  }
  recordStep(progress, {
    provider: step.provider,
    outcome: 'failed',
    attempts: 1,
    errorType: outcome?.errorType ?? FAILURE_TYPES.batchFailed,
    errorMessage: outcome?.errorType ? outcome.message : 'the batch returned no outcome',
    inputTokens: outcome?.ok === false ? outcome.inputTokens : 0,
    outputTokens: outcome?.ok === false ? outcome.outputTokens : 0,
    route: 'batch',
  });
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

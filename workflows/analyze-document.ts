import {
  ActivityCancellationType,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  ApplicationFailure,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AnalysisResult } from '../shared/analysis-result';
import type { ProviderName } from '../shared/config';
import type { AnalyzeDocumentInput, JobProgress, JobStage, JobStatus, ProviderAttempt } from '../shared/job-types';
import { applicationFailureOf, FAILURE_TYPES } from '../shared/failure-types';
import { jobProgressQuery, SEARCH_ATTRIBUTES } from '../shared/names';
import type { ProviderStep } from '../shared/providers/plan';
import { analyzeWithLocalAnalyzerOnly } from './analyze-document-v1';

/** Workflows started before the fallback chain existed replay the local-only path (see analyze-document-v1). */
export const FALLBACK_CHAIN_PATCH = 'provider-fallback-chain';

const { planProviderChain, readCachedAnalysis, writeCachedAnalysis } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

export async function analyzeDocument(input: AnalyzeDocumentInput): Promise<AnalysisResult> {
  const progress: JobProgress = { stage: 'queued', documentId: input.documentId, chain: [], tokens: { input: 0, output: 0 } };
  setHandler(jobProgressQuery, () => progress);

  const moveTo = (stage: JobStage, status: JobStatus) => {
    progress.stage = stage;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.jobStatus, value: status }]);
  };

  const withFallbackChain = patched(FALLBACK_CHAIN_PATCH);
  try {
    let result: AnalysisResult;
    if (withFallbackChain) {
      moveTo('analyzing', 'running');
      result = await runFallbackChain(input, progress);
    } else {
      result = await analyzeWithLocalAnalyzerOnly(input, progress, () => moveTo('analyzing', 'running'));
    }
    moveTo('completed', 'completed');
    return result;
  } catch (error) {
    if (isCancellation(error)) {
      moveTo('cancelled', 'cancelled');
      throw error;
    }
    moveTo('failed', 'failed');
    throw error;
  }
}

/** The cache first; else each provider in order, with its own retry policy, the first success stored. */
async function runFallbackChain(input: AnalyzeDocumentInput, progress: JobProgress): Promise<AnalysisResult> {
  if (input.cacheKey) {
    const cached = await readCachedAnalysis({ key: input.cacheKey });
    if (cached) {
      progress.provider = cached.meta.provider as ProviderName;
      progress.cached = true;
      return cached;
    }
  }
  const result = await runProviders(input, progress);
  if (input.cacheKey) {
    // A cache that cannot store must not fail a job that has its answer.
    await writeCachedAnalysis({ key: input.cacheKey, documentId: input.documentId, result, chain: progress.chain }).catch(() => false);
  }
  return result;
}

async function runProviders(input: AnalyzeDocumentInput, progress: JobProgress): Promise<AnalysisResult> {
  const steps = await planProviderChain();
  const tier = input.options?.tier ?? 'advanced';
  for (const [index, step] of steps.entries()) {
    progress.provider = step.provider;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.provider, value: step.provider }]);
    try {
      const result = await runStep(step, `${index + 1}/${steps.length}`, input, tier);
      recordStep(progress, {
        provider: step.provider,
        model: result.meta.model,
        ...(result.meta.tier && { tier: result.meta.tier }),
        outcome: 'succeeded',
        attempts: result.meta.attempts,
        ...(result.meta.attemptErrors && { attemptErrors: result.meta.attemptErrors }),
        inputTokens: result.meta.inputTokens,
        outputTokens: result.meta.outputTokens,
      });
      return result;
    } catch (error) {
      if (isCancellation(error)) throw error;
      const failure = applicationFailureOf(error);
      const details = (failure?.details?.[0] ?? {}) as Partial<StepFailureDetails>;
      recordStep(progress, {
        provider: step.provider,
        ...(details.model !== undefined && { model: details.model }),
        ...(details.tier !== undefined && { tier: details.tier }),
        outcome: 'failed',
        attempts: details.attempt ?? step.retry.maximumAttempts,
        errorType: failure?.type ?? (error as Error).name,
        errorMessage: failure?.message ?? (error as Error).message,
        ...(details.attemptErrors && { attemptErrors: details.attemptErrors }),
        inputTokens: details.inputTokens ?? 0,
        outputTokens: details.outputTokens ?? 0,
      });
      // A missing document fails with every provider alike.
      if (failure?.type === FAILURE_TYPES.documentNotFound) throw error;
    }
  }
  const tried = progress.chain.map((attempt) => `${attempt.provider}: ${attempt.errorType}`).join('; ');
  throw ApplicationFailure.nonRetryable(`every provider failed (${tried})`, FAILURE_TYPES.allProvidersFailed);
}

interface StepFailureDetails {
  attempt: number;
  model: string;
  tier: 'advanced' | 'light';
  attemptErrors: string[];
  inputTokens: number;
  outputTokens: number;
}

function runStep(step: ProviderStep, position: string, input: AnalyzeDocumentInput, tier: 'advanced' | 'light'): Promise<AnalysisResult> {
  const activities = proxyActivities<Activities>({
    // Shown on the activity in the Temporal UI; the attempt number is the activity's own.
    summary: `${step.provider} (${step.provider === 'local' ? 'extractive' : `${tier} tier`}) · fallback step ${position} · up to ${step.retry.maximumAttempts} attempts`,
    taskQueue: step.taskQueue,
    startToCloseTimeout: step.startToCloseTimeoutMs,
    ...(step.heartbeatTimeoutMs > 0 && { heartbeatTimeout: step.heartbeatTimeoutMs }),
    // The job is cancelled only once the provider request is aborted and the activity has said so.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      maximumAttempts: step.retry.maximumAttempts,
      initialInterval: step.retry.initialIntervalMs,
      backoffCoefficient: step.retry.backoffCoefficient,
      maximumInterval: step.retry.maximumIntervalMs,
    },
  });
  if (step.provider === 'local') return activities.analyzeWithLocalAnalyzer({ documentId: input.documentId });
  return activities.callProvider({
    provider: step.provider,
    documentId: input.documentId,
    analysisType: input.analysisType,
    tier,
    ...(input.options?.maxTokens !== undefined && { maxTokens: input.options.maxTokens }),
  });
}

function recordStep(progress: JobProgress, attempt: ProviderAttempt): void {
  progress.chain.push(attempt);
  const tokens = (progress.tokens ??= { input: 0, output: 0 });
  tokens.input += attempt.inputTokens ?? 0;
  tokens.output += attempt.outputTokens ?? 0;
}

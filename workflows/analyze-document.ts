import {
  ActivityCancellationType,
  CancellationScope,
  CancelledFailure,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  ApplicationFailure,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AnalysisResult } from '../shared/core/analysis-result';
import type { ProviderName } from '../shared/core/providers/catalog';
import { JOB_WORKFLOW_REVISION, type AnalyzeDocumentInput, type FinishedJob, type JobProgress, type JobResult, type JobStage, type JobStatus, type ProviderAttempt } from '../shared/core/job-types';
import { applicationFailureOf, FAILURE_TYPES } from '../shared/core/failure-types';
import { jobDetailsMarkdown } from '../shared/core/job-details';
import { JOB_PROGRESS_MEMO_KEY, jobProgressQuery, providerAttemptFailedSignal, SEARCH_ATTRIBUTES } from '../shared/core/names';
import type { ProviderStep } from '../shared/core/providers/plan';
import { analyzeWithLocalAnalyzerOnly } from './analyze-document-v1';
import { stepSpendOf } from '../shared/core/spend/step-spend';
import type { ProviderCallRequest } from '../activities/provider-call';
import { callProviderLocalFirst, usesLocalFirstAttempt } from './local-first-attempt';

/** Workflows started before the fallback chain existed replay the local-only path (see analyze-document-v1). */
export const FALLBACK_CHAIN_PATCH = 'provider-fallback-chain';

/**
 * Progress published in the memo once per workflow task (with one search-attribute upsert), where the
 * API reads it from the history; runs started before it upsert search attributes at every change, as they did.
 */
export const EVENT_DRIVEN_PROGRESS_PATCH = 'event-driven-progress';

/**
 * A cancelled job ends `cancelled` whatever its step was doing, and its chain and provider show only
 * what ran: no next provider is started after a cancel (it used to show `local`, never run), a step
 * cut off by the cancel stays in the chain as `cancelled`, and an answer that lands after the cancel
 * (the local analyzer cannot be interrupted) is recorded but does not turn the job `completed`. Checked
 * only once a cancel is requested, so jobs that are not cancelled carry no extra marker.
 */
export const HONEST_CANCEL_PATCH = 'honest-cancel';

const cancelRequested = (input: AnalyzeDocumentInput) => CancellationScope.current().consideredCancelled && hasPatch(input, HONEST_CANCEL_PATCH);

/**
 * patched() for runs started before JOB_WORKFLOW_REVISION; always true for runs of that revision, and
 * without a marker. A worker of an earlier release may have run such a run (an API upgraded before its
 * workers) and recorded the marker: its replay must meet it again, and patched() during a replay adds
 * a command only where the history holds the marker.
 */
export function hasPatch(input: AnalyzeDocumentInput, patchId: string): boolean {
  if ((input.revision ?? 1) < JOB_WORKFLOW_REVISION) return patched(patchId);
  if (workflowInfo().unsafe.isReplaying) patched(patchId);
  return true;
}

const { planProviderChain, readCachedAnalysis, writeCachedAnalysis } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

/**
 * How the job's progress leaves the workflow. Changes are staged in `progress`; `publish()` sends
 * them as commands, so a workflow task carries one memo and one search-attribute upsert at most.
 */
export interface ProgressReporter {
  moveTo(stage: JobStage, status: JobStatus): void;
  useProvider(provider: ProviderName): void;
  publish(): void;
  /** The job as published last, for the run's result; undefined where progress is not published. */
  finishedJob(): FinishedJob | undefined;
}

export function eventDrivenReporter(progress: JobProgress): ProgressReporter {
  let status: JobStatus = 'queued';
  const published: { status?: JobStatus; provider?: ProviderName } = {};
  return {
    moveTo: (stage, next) => {
      progress.stage = stage;
      status = next;
    },
    useProvider: (provider) => {
      progress.provider = provider;
    },
    publish: () => {
      const changes = [];
      if (status !== published.status) changes.push({ key: SEARCH_ATTRIBUTES.jobStatus, value: status });
      if (progress.provider && progress.provider !== published.provider) changes.push({ key: SEARCH_ATTRIBUTES.provider, value: progress.provider });
      if (changes.length > 0) upsertSearchAttributes(changes);
      Object.assign(published, { status, provider: progress.provider });
      progress.version = (progress.version ?? 0) + 1;
      upsertMemo({ [JOB_PROGRESS_MEMO_KEY]: progress });
      // Not a command: the UI reads it from the worker, so it needs no patch.
      setCurrentDetails(jobDetailsMarkdown(status, progress));
    },
    // The result's content is no command: adding it changes nothing a replay compares.
    finishedJob: () => {
      const { runId, startTime } = workflowInfo();
      return { progress, runId, startedAt: startTime.toISOString() };
    },
  };
}

/** The command sequence of runs started before EVENT_DRIVEN_PROGRESS_PATCH: an upsert per change. */
function legacyReporter(progress: JobProgress): ProgressReporter {
  return {
    moveTo: (stage, status) => {
      progress.stage = stage;
      upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.jobStatus, value: status }]);
    },
    useProvider: (provider) => {
      progress.provider = provider;
      upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.provider, value: provider }]);
    },
    publish: () => {},
    finishedJob: () => undefined,
  };
}

export async function analyzeDocument(input: AnalyzeDocumentInput): Promise<JobResult> {
  const progress: JobProgress = { stage: 'queued', documentId: input.documentId, chain: [], tokens: { input: 0, output: 0 } };
  setHandler(jobProgressQuery, () => progress);

  const withFallbackChain = hasPatch(input, FALLBACK_CHAIN_PATCH);
  const eventDriven = withFallbackChain && hasPatch(input, EVENT_DRIVEN_PROGRESS_PATCH);
  const reporter = eventDriven ? eventDrivenReporter(progress) : legacyReporter(progress);
  if (eventDriven) {
    progress.version = 0;
    showRetriesAsTheyHappen(progress, reporter);
  }
  return reportingTheEnd(reporter, async () => {
    if (withFallbackChain) {
      reporter.moveTo('analyzing', 'running');
      return runFallbackChain(input, progress, reporter, eventDriven);
    }
    return analyzeWithLocalAnalyzerOnly(input, progress, () => reporter.moveTo('analyzing', 'running'));
  });
}

/** A provider activity's report of a failed attempt becomes the job's `currentAttempt` at once. */
export function showRetriesAsTheyHappen(progress: JobProgress, reporter: ProgressReporter): void {
  setHandler(providerAttemptFailedSignal, ({ provider, attempt, errorType }) => {
    // A late report from a step that has ended changes nothing.
    if (progress.provider !== provider || progress.stage !== 'analyzing') return;
    progress.currentAttempt = { provider, attempt: attempt + 1, lastFailure: errorType };
    reporter.publish();
  });
}

/** Runs the job's work and publishes how it ended: completed (the finished job in the result), failed or cancelled. */
export async function reportingTheEnd(reporter: ProgressReporter, work: () => Promise<AnalysisResult>): Promise<JobResult> {
  try {
    const result = await work();
    reporter.moveTo('completed', 'completed');
    reporter.publish();
    const job = reporter.finishedJob();
    return job ? { ...result, job } : result;
  } catch (error) {
    const ending = isCancellation(error) ? 'cancelled' : 'failed';
    reporter.moveTo(ending, ending);
    reporter.publish();
    throw error;
  }
}

/**
 * The cache first (unless the starter has just read it); else each provider in order, with its own retry
 * policy, the first step's success stored. Event-driven runs store from inside the step's activity.
 */
async function runFallbackChain(input: AnalyzeDocumentInput, progress: JobProgress, reporter: ProgressReporter, storeInStep: boolean): Promise<AnalysisResult> {
  if (input.cacheKey && !input.cacheChecked) {
    const cached = await readCachedAnalysis({ key: input.cacheKey });
    if (cached) {
      progress.provider = cached.meta.provider as ProviderName;
      progress.cached = true;
      return cached;
    }
  }
  const result = await runProviders(input, progress, reporter, storeInStep);
  if (input.cacheKey && !storeInStep) {
    // A cache that cannot store must not fail a job that has its answer.
    await writeCachedAnalysis({ key: input.cacheKey, documentId: input.documentId, result, chain: progress.chain }).catch(() => false);
  }
  return result;
}

export async function runProviders(input: AnalyzeDocumentInput, progress: JobProgress, reporter: ProgressReporter, storeInStep: boolean): Promise<AnalysisResult> {
  const steps = input.plan ?? (await planProviderChain());
  const tier = input.options?.tier ?? 'advanced';
  for (const [index, step] of steps.entries()) {
    if (cancelRequested(input)) throw new CancelledFailure(`cancelled before ${step.provider} was tried`);
    reporter.useProvider(step.provider);
    reporter.publish();
    // Only an answer with no failed step before it is the answer to this request's cache key.
    const storeUnderCacheKey = storeInStep && progress.chain.length === 0 ? input.cacheKey : undefined;
    let result: AnalysisResult;
    try {
      result = await runStep(step, `${index + 1}/${steps.length}`, input, tier, storeUnderCacheKey, (lastFailure) => {
        progress.currentAttempt = { provider: step.provider, attempt: 2, lastFailure };
        reporter.publish();
      });
    } catch (error) {
      if (isCancellation(error)) {
        if (cancelRequested(input)) recordCancelledStep(progress, step.provider);
        throw error;
      }
      const failure = applicationFailureOf(error);
      recordFailedStep(progress, step, failure, error as Error);
      // A missing document fails with every provider alike.
      if (failure?.type === FAILURE_TYPES.documentNotFound) throw error;
      continue;
    }
    recordStep(progress, {
      provider: step.provider,
      model: result.meta.model,
      ...(result.meta.tier && { tier: result.meta.tier }),
      outcome: 'succeeded',
      attempts: result.meta.attempts,
      ...(result.meta.attemptErrors && { attemptErrors: result.meta.attemptErrors }),
      ...stepSpendOf(result.meta),
    });
    if (cancelRequested(input)) throw new CancelledFailure(`cancelled while ${step.provider} was answering; its answer is not the job's result`);
    return result;
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

function runStep(
  step: ProviderStep,
  position: string,
  input: AnalyzeDocumentInput,
  tier: 'advanced' | 'light',
  storeUnderCacheKey: string | undefined,
  announceSecondAttempt: (lastFailure: string) => void,
): Promise<AnalysisResult> {
  const stepSummary = `${step.provider} (${step.provider === 'local' ? 'extractive' : `${tier} tier`}) · fallback step ${position}`;
  const localFirst = step.provider !== 'local' && usesLocalFirstAttempt(step);
  const activitiesFrom = (firstAttempt: 1 | 2) =>
    proxyActivities<Activities>({
      // Shown on the activity in the Temporal UI; the attempt number is the activity's own.
      summary: firstAttempt === 2 ? `${stepSummary} · attempts 2 to ${step.retry.maximumAttempts}` : `${stepSummary} · up to ${step.retry.maximumAttempts} attempts`,
      taskQueue: step.taskQueue,
      startToCloseTimeout: step.startToCloseTimeoutMs,
      ...(step.heartbeatTimeoutMs > 0 && { heartbeatTimeout: step.heartbeatTimeoutMs }),
      // The job is cancelled only once the provider request is aborted and the activity has said so.
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: {
        maximumAttempts: step.retry.maximumAttempts - (firstAttempt - 1),
        initialInterval: step.retry.initialIntervalMs,
        backoffCoefficient: step.retry.backoffCoefficient,
        maximumInterval: step.retry.maximumIntervalMs,
      },
    });
  const activities = activitiesFrom(1);
  const storing = storeUnderCacheKey !== undefined ? { storeUnderCacheKey } : {};
  if (step.provider === 'local') return activities.analyzeWithLocalAnalyzer({ documentId: input.documentId, ...storing });
  const request: ProviderCallRequest = {
    provider: step.provider,
    documentId: input.documentId,
    analysisType: input.analysisType,
    tier,
    ...(input.options?.maxTokens !== undefined && { maxTokens: input.options.maxTokens }),
    ...(input.options?.budget && { budget: input.options.budget }),
    ...storing,
  };
  if (localFirst) {
    const activity = { allAttempts: activities.callProvider, afterFirst: activitiesFrom(2).callProvider };
    return callProviderLocalFirst(step, request, stepSummary, activity, announceSecondAttempt);
  }
  return activities.callProvider(request);
}

function recordFailedStep(progress: JobProgress, step: ProviderStep, failure: ApplicationFailure | undefined, error: Error): void {
  const details = (failure?.details?.[0] ?? {}) as Partial<StepFailureDetails>;
  recordStep(progress, {
    provider: step.provider,
    ...(details.model !== undefined && { model: details.model }),
    ...(details.tier !== undefined && { tier: details.tier }),
    outcome: 'failed',
    attempts: details.attempt ?? step.retry.maximumAttempts,
    errorType: failure?.type ?? error.name,
    errorMessage: failure?.message ?? error.message,
    ...(details.attemptErrors && { attemptErrors: details.attemptErrors }),
    ...stepSpendOf(details),
  });
}

/** The step the cancel cut off: its attempt count is the retry in flight, when the activity announced one. */
function recordCancelledStep(progress: JobProgress, provider: ProviderName): void {
  const attempt = progress.currentAttempt?.provider === provider ? progress.currentAttempt.attempt : 1;
  recordStep(progress, { provider, outcome: 'cancelled', attempts: attempt, errorType: 'Cancelled', inputTokens: 0, outputTokens: 0 });
}

export function recordStep(progress: JobProgress, attempt: ProviderAttempt): void {
  delete progress.currentAttempt;
  progress.chain.push(attempt);
  const tokens = (progress.tokens ??= { input: 0, output: 0 });
  tokens.input += attempt.inputTokens ?? 0;
  tokens.output += attempt.outputTokens ?? 0;
  if (attempt.attemptSpend) {
    tokens.cacheRead = (tokens.cacheRead ?? 0) + (attempt.cacheReadTokens ?? 0);
    tokens.cacheWrite = (tokens.cacheWrite ?? 0) + (attempt.cacheWriteTokens ?? 0);
    progress.costNanoUsd = (progress.costNanoUsd ?? 0) + (attempt.costNanoUsd ?? 0);
  }
}

/**
 * The remote-provider activity: gate (circuit breaker + Retry-After cool-down) → SDK call with the
 * activity's cancellation signal → parse and validate, with one repair request → record the outcome.
 * Every failure leaves as an ApplicationFailure typed by the one classifier, with a jittered nextRetryDelay.
 */
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { AnalysisCache } from '../shared/adapters/analysis-cache';
import { providerAttemptFailedSignal } from '../shared/core/names';
import { storeStepAnswer } from './store-step-answer';
import type { AnalysisResult } from '../shared/core/analysis-result';
import type { AppConfig, RemoteProviderConfig } from '../shared/config';
import type { ModelTier, RemoteProviderName } from '../shared/core/providers/catalog';
import type { DocumentStore } from '../shared/adapters/documents/document-store';
import { FAILURE_TYPES } from '../shared/core/failure-types';
import type { AnalysisType } from '../shared/core/job-types';
import { decideAdmission } from '../shared/core/admission';
import { OperationModeClient } from '../shared/adapters/operation-mode-client';
import { buildAnalysisPrompt } from '../shared/core/providers/prompt';
import { classifyProviderError, toApplicationFailure, type ClassifiedError } from '../shared/core/resilience/classify-provider-error';
import { providerGateKey, type GateStore } from '../shared/adapters/gate-store';
import { admitRequest, recordRequestOutcome, type GatePolicy } from '../shared/core/resilience/provider-gate';
import { withUpwardJitter } from '../shared/core/resilience/backoff';
import { attemptErrorsBefore, earlierAttemptErrors, INTERRUPTED_ATTEMPT, WORKER_SHUTDOWN_ATTEMPT } from '../shared/core/resilience/interrupted-attempts';
import type { EarlierAttempts } from '../shared/core/resilience/local-first-attempt';
import { completeWithOneRepair, InvalidOutputError } from './providers/complete-with-repair';
import { createLlmClient, type LlmClient } from './providers/llm-clients';
import { recordProviderAttempt } from './provider-metrics';
import type { BudgetStore } from '../shared/adapters/budget-store';
import type { BudgetLimit } from '../shared/core/spend/budget';
import { priceOf } from '../shared/core/spend/prices';
import { NO_USAGE, promptTokens, type TokenUsage } from '../shared/core/spend/usage';
import { attemptSpendOf, earlierAttemptSpend, type AttemptSpend } from '../shared/core/spend/attempt-spend';
import { BudgetExceededError, withBudget } from './providers/budget-guard';
import { Bulkhead, leavesTimeForCall } from './providers/bulkhead';
import { timeoutSignal } from '../shared/adapters/with-timeout';
import { RecentCallLog } from './providers/recent-calls';
import {
  FIRST_ATTEMPT_FIT_MAX_SAMPLE_AGE_MS,
  FIRST_ATTEMPT_FIT_MIN_SAMPLES,
  firstAttemptFitsInWorkflowTask,
  type FirstAttemptDeferred,
} from '../shared/core/providers/first-attempt-fit';

export interface ProviderCallRequest {
  provider: RemoteProviderName;
  documentId: string;
  analysisType: AnalysisType;
  tier: ModelTier;
  maxTokens?: number;
  /** Store the answer in the analysis cache under this key (the job's first step: nothing failed before it). */
  storeUnderCacheKey?: string;
  /** The client key's budget scope and limits, charged with every request of this step besides the global budget. */
  budget?: { scope: string; limits: BudgetLimit[] };
  /**
   * Attempts of this step made before this activity (a first attempt run as a local activity): the
   * activity's attempts are numbered after them and carry their errors and spend.
   */
  earlier?: EarlierAttempts;
}


/** What each failed attempt leaves behind, carried to the next attempt and to the workflow. */
export interface AttemptFailureDetails {
  attempt: number;
  model: string;
  tier: ModelTier;
  status?: number;
  retryAfterMs?: number;
  inputTokens: number;
  outputTokens: number;
  /** Error types of this and every earlier attempt of this provider step, oldest first. */
  attemptErrors: string[];
  /** Tokens and cost of this and every earlier attempt of this step, oldest first. */
  attemptSpend?: AttemptSpend[];
  /** When the next attempt may go (the failure's nextRetryDelay), for a workflow that retries a local attempt itself. */
  nextRetryDelayMs?: number;
}

const HEARTBEAT_INTERVAL_MS = 1_000;
const MODE_MEMO_MS = 1_000;
/** The SDK call gives up this long before startToCloseTimeout, so a slow provider ends as our typed Timeout. */
const DEADLINE_MARGIN_MS = 300;

export function gatePolicyOf(settings: RemoteProviderConfig): GatePolicy {
  return {
    threshold: settings.circuitBreakerThreshold,
    recoveryTimeMs: settings.circuitBreakerRecoveryMs,
    probeTimeoutMs: settings.timeoutMs + 5_000,
  };
}


export function createProviderActivities(deps: { config: AppConfig; documents: DocumentStore; gates: GateStore; cache: AnalysisCache; budgets: BudgetStore; modes?: OperationModeClient }) {
  const clients = new Map<RemoteProviderName, LlmClient>();
  const bulkheads = new Map<RemoteProviderName, Bulkhead>();
  const bulkheadFor = (provider: RemoteProviderName) => {
    let bulkhead = bulkheads.get(provider);
    if (!bulkhead) bulkheads.set(provider, (bulkhead = new Bulkhead(deps.config.providers[provider].maxConcurrency)));
    return bulkhead;
  };
  // One per worker: its one-second memo spares a query per attempt; mode changes still reach the next attempt.
  let modes: OperationModeClient | undefined;
  const clientFor = (provider: RemoteProviderName) => {
    let client = clients.get(provider);
    if (!client) clients.set(provider, (client = createLlmClient(deps.config.providers[provider])));
    return client;
  };

  const callLogs = new Map<RemoteProviderName, RecentCallLog>();
  const callLogFor = (provider: RemoteProviderName) => {
    let log = callLogs.get(provider);
    if (!log) callLogs.set(provider, (log = new RecentCallLog()));
    return log;
  };

  const providerActivities = {
    async callProvider(request: ProviderCallRequest): Promise<AnalysisResult> {
      const context = Context.current();
      const started = Date.now();
      const settings = deps.config.providers[request.provider];
      const policy = gatePolicyOf(settings);
      const key = providerGateKey(deps.config.temporal.taskQueue, request.provider);
      const { attempt, earlierErrors, earlierSpend } = attemptOf(context, request.earlier);
      // A local activity has no heartbeat: its failure's details are all the workflow gets.
      const heartbeat = (details: unknown) => {
        if (!context.info.isLocal) context.heartbeat(details);
      };
      const usage: TokenUsage = { ...NO_USAGE };
      // Read at every attempt, so a running job follows a mode change on its next try.
      modes ??= deps.modes ?? new OperationModeClient(context.client, deps.config, MODE_MEMO_MS);
      const { view, unavailable } = await modes.read();
      const admission = decideAdmission({ entry: 'provider-attempt', mode: view, modeUnavailable: unavailable, requestedTier: request.tier, nowMs: Date.now() });
      const { tier } = admission;
      const model = settings.models[tier];
      const price = priceOf(deps.config.spend.prices, request.provider, model);
      const spendOf = (outcome: string): AttemptSpend[] => [...earlierSpend, attemptSpendOf(attempt, model, outcome, usage, price)];
      let sentAt: number | undefined;
      const record = (outcome: string) => {
        const durationSeconds = sentAt === undefined ? undefined : (Date.now() - sentAt) / 1000;
        const tokens = { inputTokens: promptTokens(usage), outputTokens: usage.outputTokens };
        recordProviderAttempt(context.metricMeter, { provider: request.provider, model, outcome, durationSeconds, ...tokens });
        if (outcome === 'success') context.log.info('provider answered', { provider: request.provider, model, tier, durationSeconds, ...usage });
      };
      if (!admission.remoteProviders) {
        record(FAILURE_TYPES.remoteProvidersDisabled);
        const why = admission.localOnlyBecause === 'global-budget' ? `the global budget is exhausted (${view?.budget?.reason})` : `operation mode ${view?.mode}`;
        throw ApplicationFailure.nonRetryable(
          `${request.provider}: remote providers are switched off: ${why}`,
          FAILURE_TYPES.remoteProvidersDisabled,
          { attempt, model, tier, inputTokens: 0, outputTokens: 0, attemptErrors: [...earlierErrors, FAILURE_TYPES.remoteProvidersDisabled], attemptSpend: earlierSpend },
        );
      }

      const document = await deps.documents.get(request.documentId);
      if (!document) {
        throw ApplicationFailure.nonRetryable(`document ${request.documentId} does not exist`, FAILURE_TYPES.documentNotFound);
      }

      const decision = await deps.gates.update(key, (state) => {
        const { next, decision } = admitRequest(state, Date.now(), policy);
        return { next, result: decision };
      });
      if (!decision.admit) {
        record(decision.type);
        const nextRetryDelayMs = decision.type === 'RateLimited' ? withUpwardJitter(decision.retryInMs, settings.jitter) : undefined;
        const details: AttemptFailureDetails = {
          attempt,
          model,
          tier,
          inputTokens: 0,
          outputTokens: 0,
          attemptErrors: [...earlierErrors, decision.type],
          attemptSpend: earlierSpend,
          ...(nextRetryDelayMs !== undefined && { nextRetryDelayMs }),
        };
        heartbeat(details);
        if (decision.type === 'RateLimited') await announceRetry(context, request.provider, decision.type, attempt);
        // An open circuit is final for this step (the workflow moves to the next provider); a cool-down is waited out.
        throw ApplicationFailure.create({
          type: decision.type,
          message: `${request.provider}: ${decision.reason}`,
          nonRetryable: decision.type === 'CircuitOpen',
          ...(nextRetryDelayMs !== undefined && { nextRetryDelay: nextRetryDelayMs }),
          details: [details],
        });
      }

      const heartbeating = setInterval(
        () => heartbeat({ attempt, model, inputTokens: promptTokens(usage), outputTokens: usage.outputTokens, attemptErrors: earlierErrors, attemptSpend: earlierSpend }),
        HEARTBEAT_INTERVAL_MS,
      );
      const deadlineAt = started + settings.timeoutMs - DEADLINE_MARGIN_MS;
      const deadline = timeoutSignal(Math.max(1, deadlineAt - Date.now()));
      const signal = AbortSignal.any([context.cancellationSignal, deadline]);
      let release: (() => void) | undefined;
      let callEnded: (() => void) | undefined;
      let slotCameTooLate = false;
      try {
        const granted = await bulkheadFor(request.provider).acquire(signal);
        if (!leavesTimeForCall(deadlineAt - Date.now(), settings.timeoutMs)) {
          granted();
          slotCameTooLate = true;
          throw new Error('the call slot came with too little time left for a call');
        }
        release = granted;
        sentAt = Date.now();
        callEnded = callLogFor(request.provider).sent(sentAt);
        const prompt = buildAnalysisPrompt(document.content, request.analysisType);
        const maxTokens = Math.min(settings.maxTokens, request.maxTokens ?? Infinity);
        const budgeted = withBudget(clientFor(request.provider), {
          store: deps.budgets,
          client: request.budget,
          globalLimits: deps.config.spend.globalLimits,
          price,
          reservationTtlMs: deps.config.spend.reservationTtlMs,
          onSettleError: (error) => context.log.warn('could not settle a budget reservation; it expires by itself', { error: error.message }),
        });
        const content = await completeWithOneRepair(budgeted, { model, prompt, maxTokens, signal }, usage, (problem) =>
          context.log.warn('invalid model output, asking once for a repair', { provider: request.provider, problem }),
        );
        await deps.gates.update(key, (state) => ({ next: recordRequestOutcome(state, Date.now(), 'success', policy), result: undefined }));
        record('success');
        const result: AnalysisResult = {
          ...content,
          meta: {
            provider: request.provider,
            model,
            inputTokens: promptTokens(usage),
            outputTokens: usage.outputTokens,
            cacheReadTokens: usage.cacheReadTokens,
            cacheWriteTokens: usage.cacheWriteTokens,
            costNanoUsd: attemptSpendOf(attempt, model, 'success', usage, price).costNanoUsd,
            attemptSpend: spendOf('success'),
            latencyMs: Date.now() - started,
            cached: false,
            attempts: attempt,
            tier,
            ...(earlierErrors.length > 0 && { attemptErrors: earlierErrors }),
          },
        };
        // The key names the tier the job asked for: a lowered tier's answer is not that answer.
        await storeStepAnswer(deps.cache, tier === request.tier ? request.storeUnderCacheKey : undefined, request.documentId, result);
        return result;
      } catch (error) {
        if (context.cancellationSignal.aborted) {
          await deps.gates.update(key, (state) => ({ next: recordRequestOutcome(state, Date.now(), 'Cancelled', policy), result: undefined }));
          // Only a cancelled job cancels the step; a stopping or lost worker leaves an attempt to retry.
          const interruption = context.cancellationDetails?.cancelRequested ? undefined : context.cancellationDetails?.workerShutdown ? WORKER_SHUTDOWN_ATTEMPT : INTERRUPTED_ATTEMPT;
          record(interruption ?? 'Cancelled');
          if (!interruption) throw new CancelledFailure(`${request.provider} request aborted: the job was cancelled`);
          heartbeat({ attempt, model, tier, ...usage, attemptErrors: [...earlierErrors, interruption] } satisfies AttemptFailureDetails);
          throw ApplicationFailure.retryable(`${request.provider} request aborted: ${interruption === WORKER_SHUTDOWN_ATTEMPT ? 'the worker stopped' : 'the attempt was interrupted'}`, interruption);
        }
        // Out of time while waiting for this process's bulkhead: no request left, so the provider's
        // breaker hears nothing of it (a neutral outcome releases a half-open probe).
        const waitedForBulkhead = release === undefined;
        const classified = waitedForBulkhead && (deadline.aborted || slotCameTooLate)
          ? { type: 'Timeout' as const, retryable: true, message: `no free call slot in this worker (${request.provider.toUpperCase().replace(/-/g, '_')}_MAX_CONCURRENCY=${settings.maxConcurrency}) with time left for a call within the provider timeout` }
          : classifyFailure(error, deadline.aborted, settings);
        await deps.gates.update(key, (state) => ({
          next: recordRequestOutcome(state, Date.now(), waitedForBulkhead ? 'Cancelled' : classified.type, policy, classified.retryAfterMs),
          result: undefined,
        }));
        record(classified.type);
        const details: AttemptFailureDetails = {
          attempt,
          model,
          tier,
          ...(classified.status !== undefined && { status: classified.status }),
          ...(classified.retryAfterMs !== undefined && { retryAfterMs: classified.retryAfterMs }),
          inputTokens: promptTokens(usage),
          outputTokens: usage.outputTokens,
          attemptErrors: [...earlierErrors, classified.type],
          attemptSpend: spendOf(classified.type),
        };
        // The next attempt reads this from heartbeatDetails, so the job can show every attempt's error.
        heartbeat(details);
        if (classified.retryable) await announceRetry(context, request.provider, classified.type, attempt);
        throw toApplicationFailure(
          { ...classified, message: `${request.provider} (${model}): ${classified.message}` },
          {
            backoff: {
              attempt,
              initialIntervalMs: settings.retryInitialIntervalMs,
              backoffFactor: settings.backoffFactor,
              maxIntervalMs: settings.retryMaxIntervalMs,
              jitter: settings.jitter,
            },
            details: { ...details },
          },
        );
      } finally {
        callEnded?.();
        release?.();
        clearInterval(heartbeating);
      }
    },

    /**
     * A first attempt run as a local activity with `<PROVIDER>_LOCAL_FIRST_ATTEMPT=auto`: the call, while
     * this worker's recent calls to the provider were short; else no call, and the workflow makes this
     * attempt the activity's first.
     */
    async callProviderIfFast(request: ProviderCallRequest): Promise<AnalysisResult | FirstAttemptDeferred> {
      const settings = deps.config.providers[request.provider];
      const fit = firstAttemptFitsInWorkflowTask(callLogFor(request.provider).snapshot(), Date.now(), {
        maxCallMs: settings.localFirstMaxCallMs,
        minSamples: FIRST_ATTEMPT_FIT_MIN_SAMPLES,
        maxSampleAgeMs: FIRST_ATTEMPT_FIT_MAX_SAMPLE_AGE_MS,
      });
      if (!fit.fits) return { deferredBecause: fit.why };
      return providerActivities.callProvider(request);
    },
  };
  return providerActivities;
}

/** How long a retry announcement may delay the failing attempt; it is a courtesy, the retry happens anyway. */
const ANNOUNCE_DEADLINE_MS = 2_000;

/**
 * Tells the job at once that this attempt failed and another follows (Temporal's retries are invisible
 * to the workflow until the step ends), so a waiting client sees "attempt 2 (last: RateLimited)" without polling.
 */
async function announceRetry(context: Context, provider: RemoteProviderName, errorType: string, attempt: number): Promise<void> {
  const { retryPolicy, workflowExecution, isLocal } = context.info;
  const maximumAttempts = retryPolicy?.maximumAttempts ?? 0;
  // A local first attempt's workflow announces the retry itself, in the task that schedules it.
  if (isLocal || !workflowExecution || (maximumAttempts > 0 && context.info.attempt >= maximumAttempts)) return;
  try {
    await context.client.withDeadline(Date.now() + ANNOUNCE_DEADLINE_MS, () =>
      context.client.workflow.getHandle(workflowExecution.workflowId, workflowExecution.runId).signal(providerAttemptFailedSignal, { provider, attempt, errorType }),
    );
  } catch (error) {
    context.log.debug('could not announce the retry to the job', { provider, error: (error as Error).message });
  }
}

function classifyFailure(error: unknown, deadlineExpired: boolean, settings: RemoteProviderConfig): ClassifiedError {
  if (error instanceof InvalidOutputError) return { type: 'InvalidOutput', retryable: true, message: error.message };
  if (error instanceof BudgetExceededError) return { type: 'BudgetExceeded', retryable: false, message: error.message };
  if (deadlineExpired) {
    return { type: 'Timeout', retryable: true, message: `no answer within the provider timeout (${settings.timeoutMs} ms)` };
  }
  return classifyProviderError(error);
}

/**
 * This attempt's number within the step, and what the step's earlier attempts left: the previous
 * attempt's heartbeat, else what the step made before this activity (attempts lost with a worker
 * that died before heartbeating become `Interrupted`).
 */
function attemptOf(context: Context, earlier: EarlierAttempts | undefined) {
  const offset = earlier?.attempts ?? 0;
  const attempt = context.info.attempt + offset;
  const carried = context.info.heartbeatDetails ?? earlier;
  return {
    attempt,
    earlierErrors: attemptErrorsBefore(attempt, earlierAttemptErrors(carried)),
    earlierSpend: earlierAttemptSpend(carried),
  };
}

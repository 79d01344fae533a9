/**
 * The fallback chain a job walks: the providers in LLM_PROVIDERS order, each with its own task queue
 * (the server-side rate limit) and its own retry policy (the design's retry_attempts, backoff_factor).
 * A provider with no server-side limit (`<PROVIDER>_RATE_LIMIT=0`) is called from the workflow's own
 * queue instead, so the server hands its activity to the worker with the workflow task's reply (eager
 * dispatch): no matching round trip and no activity poll.
 * Computed by the starter (API) from the provider settings it shares with the workers and passed in the
 * job's input; jobs started without one compute it on their worker in a local activity.
 */
import type { AppConfig, LocalFirstAttempt } from '../../config';
import { REMOTE_PROVIDERS, type ProviderName, type RemoteProviderName } from './catalog';

export interface ProviderRetryPolicy {
  maximumAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
}

export interface ProviderStep {
  provider: ProviderName;
  taskQueue: string;
  startToCloseTimeoutMs: number;
  heartbeatTimeoutMs: number;
  retry: ProviderRetryPolicy;
  /**
   * The first attempt runs as a local activity (`<PROVIDER>_LOCAL_FIRST_ATTEMPT`): always (`true`), or
   * `when-fast`, while the worker's recent calls to the provider were short (else it is the activity's
   * first). Absent: never, and in plans made before it existed.
   */
  firstAttemptLocal?: true | 'when-fast';
}

/** Cancellation reaches an activity with its next heartbeat; heartbeats are throttled to 80 % of this. */
export const PROVIDER_HEARTBEAT_TIMEOUT_MS = 5_000;

export const isRemoteProvider = (provider: ProviderName): provider is RemoteProviderName =>
  (REMOTE_PROVIDERS as readonly string[]).includes(provider);

export function providerTaskQueue(mainTaskQueue: string, provider: RemoteProviderName): string {
  return `${mainTaskQueue}-llm-${provider}`;
}

export const LOCAL_STEP_RETRY: ProviderRetryPolicy = {
  maximumAttempts: 3,
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 10_000,
};

export function planProviderChain(config: AppConfig): ProviderStep[] {
  const steps: ProviderStep[] = config.providers.order.map((provider) => {
    if (!isRemoteProvider(provider)) {
      return {
        provider,
        taskQueue: config.temporal.taskQueue,
        startToCloseTimeoutMs: 120_000,
        heartbeatTimeoutMs: 0,
        retry: LOCAL_STEP_RETRY,
      };
    }
    const settings = config.providers[provider];
    return {
      provider,
      taskQueue: settings.rateLimitPerMinute > 0 ? providerTaskQueue(config.temporal.taskQueue, provider) : config.temporal.taskQueue,
      startToCloseTimeoutMs: settings.timeoutMs,
      heartbeatTimeoutMs: PROVIDER_HEARTBEAT_TIMEOUT_MS,
      retry: {
        maximumAttempts: settings.retryAttempts,
        initialIntervalMs: settings.retryInitialIntervalMs,
        backoffCoefficient: settings.backoffFactor,
        maximumIntervalMs: settings.retryMaxIntervalMs,
      },
      ...(settings.rateLimitPerMinute === 0 && firstAttemptLocalOf(settings.localFirstAttempt)),
    };
  });
  return steps;
}

function firstAttemptLocalOf(setting: LocalFirstAttempt): Pick<ProviderStep, 'firstAttemptLocal'> {
  if (setting === 'always') return { firstAttemptLocal: true };
  if (setting === 'when-fast') return { firstAttemptLocal: 'when-fast' };
  return {};
}

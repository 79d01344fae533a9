/**
 * The half-price route: which provider takes a deferred request through its batch API, how batch items
 * are named, and how long a job waits for it. Pure and bundle-safe (workflows import it).
 */
import type { AppConfig } from '../../config';
import type { ProviderStep } from './plan';
import type { RemoteProviderName } from './catalog';

/** Providers with a batch API the service speaks (Anthropic Message Batches, OpenAI Batch). */
export const BATCH_PROVIDERS = ['anthropic', 'openai'] as const satisfies readonly RemoteProviderName[];
export type BatchProviderName = (typeof BATCH_PROVIDERS)[number];

export type AnalysisRoute = 'batch' | 'sync';

export const isBatchProvider = (provider: string): provider is BatchProviderName => (BATCH_PROVIDERS as readonly string[]).includes(provider);

/** The first step of the chain whose provider has a batch API; undefined: the request runs the sync chain. */
export function batchStepOf(plan: readonly ProviderStep[]): (ProviderStep & { provider: BatchProviderName }) | undefined {
  return plan.find((step): step is ProviderStep & { provider: BatchProviderName } => isBatchProvider(step.provider));
}

/** custom_id of the item at `index` (both APIs accept 1-64 characters of [a-zA-Z0-9_-]). */
export const batchItemId = (index: number): string => `item-${index}`;

/** Where a deferred job stands while its provider batch runs. */
export interface DeferredSchedule {
  /** Between two status checks of a submitted batch (a workflow timer: no worker slot is held while waiting). */
  pollIntervalMs: number;
  /** Past this the batch is cancelled and its unanswered items take the sync chain. */
  maxWaitMs: number;
}

/** Status checks a batch gets before the job gives up on it: ceil(maxWait / interval), at least one. */
export const pollsWithin = ({ pollIntervalMs, maxWaitMs }: DeferredSchedule): number => Math.max(1, Math.ceil(maxWaitMs / pollIntervalMs));

export const deferredScheduleOf = (config: Pick<AppConfig, 'deferred'>): DeferredSchedule => ({
  pollIntervalMs: config.deferred.pollIntervalMs,
  maxWaitMs: config.deferred.maxWaitMs,
});

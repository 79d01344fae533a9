/**
 * The service series both kinds of process publish, each from its own view: the API through
 * prom-client collectors, a worker through the Core runtime's meter. One place computes the values;
 * the adapters only hand them on. Cache lookups are per process (each has its own memory and disk tier);
 * circuit states are shared through Redis, or per worker process without it.
 */
import type { AnalysisCache } from '../analysis-cache';
import type { AppConfig } from '../../config';
import { REMOTE_PROVIDERS } from '../../core/providers/catalog';
import { providerGateKey, type GateStore } from '../gate-store';
import { CounterSync, stateSetValues } from './counter-sync';

/** Counter names without `_total`: the Core exporter appends it, the API adds it for prom-client. */
export const SERVICE_SERIES = {
  cacheLookups: 'llm_analysis_cache_lookups',
  cacheTierLookups: 'llm_analysis_cache_tier_lookups',
  circuitState: 'llm_analysis_provider_circuit_state',
  operationMode: 'llm_analysis_operation_mode',
} as const;

export const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const;
const TIER_RESULTS = { hits: 'hit', misses: 'miss', errors: 'error' } as const;

export interface CounterIncrement {
  labels: Record<string, string>;
  increment: number;
}

/** What the cache's lookups (hit in any tier, or miss in all) grew by since the last call. */
export function cacheLookupIncrements(cache: AnalysisCache, sync: CounterSync): CounterIncrement[] {
  const { hits, misses } = cache.stats();
  return [
    { labels: { result: 'hit' }, increment: sync.increment('all:hits', hits) },
    { labels: { result: 'miss' }, increment: sync.increment('all:misses', misses) },
  ];
}

/** What each tier's hits, misses and errors grew by since the last call. */
export function cacheTierLookupIncrements(cache: AnalysisCache, sync: CounterSync): CounterIncrement[] {
  return Object.entries(cache.stats().tiers).flatMap(([tier, stats]) =>
    Object.entries(TIER_RESULTS).map(([counter, result]) => ({
      labels: { tier, result },
      increment: sync.increment(`${tier}:${counter}`, Number(stats?.[counter as keyof typeof TIER_RESULTS] ?? 0)),
    })),
  );
}

/** One 0/1 value per remote provider and circuit state, as the gate store holds them now. */
export async function circuitStateValues(config: AppConfig, gates: GateStore): Promise<{ labels: Record<string, string>; value: number }[]> {
  const providers = config.providers.order.filter((name) => (REMOTE_PROVIDERS as readonly string[]).includes(name));
  const values = await Promise.all(
    providers.map(async (provider) => {
      const { breaker } = await gates.read(providerGateKey(config.temporal.taskQueue, provider));
      return Object.entries(stateSetValues(CIRCUIT_STATES, breaker.state)).map(([state, value]) => ({ labels: { provider, state }, value }));
    }),
  );
  return values.flat();
}

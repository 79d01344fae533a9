/**
 * The API's view of the service, read at scrape time: cache lookups per tier (from the tiered cache's
 * statistics), each remote provider's circuit state (from the gate store the workers share through
 * Redis) and the operation mode. Nothing is counted twice: the sources keep the numbers, these collectors
 * only publish them.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AnalysisCache } from '../../shared/analysis-cache';
import { REMOTE_PROVIDERS, type AppConfig } from '../../shared/config';
import { CounterSync, stateSetValues } from '../../shared/metrics/counter-sync';
import type { OperationModeClient } from '../../shared/operation-mode-client';
import { OPERATION_MODES } from '../../shared/operation-mode/modes';
import { providerGateKey, type GateStore } from '../../shared/resilience/gate-store';

const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const;
/** UNKNOWN: the operation-mode workflow did not answer (flags then fall back to their safe defaults). */
const MODE_STATES = [...OPERATION_MODES, 'UNKNOWN'] as const;
const TIER_RESULTS = { hits: 'hit', misses: 'miss', errors: 'error' } as const;

export interface ServiceMetricsDeps {
  config: AppConfig;
  cache: AnalysisCache;
  modes: OperationModeClient;
  /** Without Redis each worker keeps its own circuits and the API cannot see them: no circuit series. */
  gates?: GateStore;
}

export function registerServiceMetrics(registry: Registry, { config, cache, modes, gates }: ServiceMetricsDeps): void {
  const sync = new CounterSync();
  new Counter({
    name: 'llm_analysis_cache_tier_lookups_total',
    help: 'Analysis cache lookups in this API process, per tier and result (a miss in one tier moves on to the next)',
    labelNames: ['tier', 'result'],
    registers: [registry],
    collect() {
      for (const [tier, stats] of Object.entries(cache.stats().tiers)) {
        for (const [counter, result] of Object.entries(TIER_RESULTS)) {
          this.inc({ tier, result }, sync.increment(`${tier}:${counter}`, Number(stats?.[counter as keyof typeof TIER_RESULTS] ?? 0)));
        }
      }
    },
  });
  new Counter({
    name: 'llm_analysis_cache_lookups_total',
    help: 'Analysis cache lookups in this API process across all tiers: hit in any tier, or miss in all',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      const { hits, misses } = cache.stats();
      this.inc({ result: 'hit' }, sync.increment('all:hits', hits));
      this.inc({ result: 'miss' }, sync.increment('all:misses', misses));
    },
  });

  if (gates) {
    const providers = config.providers.order.filter((name) => (REMOTE_PROVIDERS as readonly string[]).includes(name));
    new Gauge({
      name: 'llm_analysis_provider_circuit_state',
      help: 'Circuit breaker state per remote provider, shared by all workers (1 for the current state)',
      labelNames: ['provider', 'state'],
      registers: [registry],
      async collect() {
        await Promise.all(
          providers.map(async (provider) => {
            const { breaker } = await gates.read(providerGateKey(config.temporal.taskQueue, provider));
            for (const [state, value] of Object.entries(stateSetValues(CIRCUIT_STATES, breaker.state))) this.set({ provider, state }, value);
          }),
        );
      },
    });
  }

  new Gauge({
    name: 'llm_analysis_operation_mode',
    help: 'Operation mode (1 for the current mode; UNKNOWN when the mode workflow does not answer)',
    labelNames: ['mode'],
    registers: [registry],
    async collect() {
      const { view } = await modes.read();
      for (const [mode, value] of Object.entries(stateSetValues(MODE_STATES, view?.mode ?? 'UNKNOWN'))) this.set({ mode }, value);
    },
  });
}

/**
 * The API's view of the service, read at scrape time: cache lookups per tier (from the tiered cache's
 * statistics), each remote provider's circuit state (from the gate store the workers share through
 * Redis) and the operation mode. The sources keep the numbers; these collectors only publish them.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AnalysisCache } from '../../shared/adapters/analysis-cache';
import type { AppConfig } from '../../shared/config';
import { CounterSync, stateSetValues } from '../../shared/adapters/metrics/counter-sync';
import { cacheLookupIncrements, cacheTierLookupIncrements, circuitStateValues, SERVICE_SERIES } from '../../shared/adapters/metrics/service-series';
import type { OperationModeClient } from '../../shared/adapters/operation-mode-client';
import { OPERATION_MODES } from '../../shared/core/operation-mode/modes';
import type { GateStore } from '../../shared/adapters/gate-store';

/** UNKNOWN: the operation-mode workflow did not answer (flags then fall back to their safe defaults). */
const MODE_STATES = [...OPERATION_MODES, 'UNKNOWN'] as const;

export interface ServiceMetricsDeps {
  config: AppConfig;
  cache: AnalysisCache;
  modes: OperationModeClient;
  /** Without Redis each worker keeps its own circuits and the API cannot see them: no circuit series here. */
  gates?: GateStore;
}

export function registerServiceMetrics(registry: Registry, { config, cache, modes, gates }: ServiceMetricsDeps): void {
  const sync = new CounterSync();
  new Counter({
    name: `${SERVICE_SERIES.cacheTierLookups}_total`,
    help: 'Analysis cache lookups in this process, per tier and result (a miss in one tier moves on to the next)',
    labelNames: ['tier', 'result'],
    registers: [registry],
    collect() {
      for (const { labels, increment } of cacheTierLookupIncrements(cache, sync)) this.inc(labels, increment);
    },
  });
  new Counter({
    name: `${SERVICE_SERIES.cacheLookups}_total`,
    help: 'Analysis cache lookups in this process across all tiers: hit in any tier, or miss in all',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      for (const { labels, increment } of cacheLookupIncrements(cache, sync)) this.inc(labels, increment);
    },
  });

  if (gates) {
    new Gauge({
      name: SERVICE_SERIES.circuitState,
      help: 'Circuit breaker state per remote provider (1 for the current state)',
      labelNames: ['provider', 'state'],
      registers: [registry],
      async collect() {
        for (const { labels, value } of await circuitStateValues(config, gates)) this.set(labels, value);
      },
    });
  }

  new Gauge({
    name: SERVICE_SERIES.operationMode,
    help: 'Operation mode (1 for the current mode; UNKNOWN when the mode workflow does not answer)',
    labelNames: ['mode'],
    registers: [registry],
    async collect() {
      const { view } = await modes.read();
      for (const [mode, value] of Object.entries(stateSetValues(MODE_STATES, view?.mode ?? 'UNKNOWN'))) this.set({ mode }, value);
    },
  });
}

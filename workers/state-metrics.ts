/**
 * A worker's cache lookups and the provider circuit states it sees, published on its metrics endpoint
 * through the Core runtime's meter. Core has no scrape-time callback, so they are refreshed on an
 * interval shorter than Prometheus's scrape interval.
 */
import type { MetricMeter } from '@temporalio/common';
import type { AnalysisCache } from '../shared/adapters/analysis-cache';
import type { AppConfig } from '../shared/config';
import { CounterSync } from '../shared/adapters/metrics/counter-sync';
import { cacheLookupIncrements, cacheTierLookupIncrements, circuitStateValues, SERVICE_SERIES } from '../shared/adapters/metrics/service-series';
import type { GateStore } from '../shared/adapters/gate-store';

const REFRESH_INTERVAL_MS = 5_000;

export interface WorkerStateMetricsDeps {
  config: AppConfig;
  cache: AnalysisCache;
  gates: GateStore;
  meter: MetricMeter;
  warn: (message: string) => void;
}

export function publishWorkerStateMetrics({ config, cache, gates, meter, warn }: WorkerStateMetricsDeps): { stop(): void } {
  const sync = new CounterSync();
  const lookups = meter.createCounter(SERVICE_SERIES.cacheLookups, '', 'Analysis cache lookups in this process across all tiers');
  const tierLookups = meter.createCounter(SERVICE_SERIES.cacheTierLookups, '', 'Analysis cache lookups in this process, per tier and result');
  // Shared through Redis; without it this worker's own circuits.
  const circuits = meter.createGauge(SERVICE_SERIES.circuitState, 'int', '', 'Circuit breaker state per remote provider (1 for the current state)');
  let running: Promise<void> | undefined;
  const refresh = async () => {
    for (const { labels, increment } of cacheLookupIncrements(cache, sync)) lookups.add(increment, labels);
    for (const { labels, increment } of cacheTierLookupIncrements(cache, sync)) tierLookups.add(increment, labels);
    for (const { labels, value } of await circuitStateValues(config, gates)) circuits.set(value, labels);
  };
  const tick = () => {
    // A failed refresh is retried by the next tick; counters lose nothing (the sync keeps the last totals).
    running ??= refresh()
      .catch((error: Error) => warn(`metrics refresh failed: ${error.message}`))
      .finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, REFRESH_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

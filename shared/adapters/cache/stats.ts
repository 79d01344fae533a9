/**
 * Per-tier counters and latency over a ring buffer of the most recent operations, reported as plain
 * JSON for the health endpoint.
 */

export interface LatencySummary {
  /** Operations measured since start. */
  count: number;
  /** Over the recent window, in ms. */
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

export interface TierCounters {
  hits: number;
  misses: number;
  errors: number;
  sets: number;
  /** Entries copied into this tier after a hit in a lower one. */
  backfills: number;
  deletes: number;
  invalidations: number;
}

export type TierStats = TierCounters & { latency: LatencySummary } & Record<string, unknown>;

const DEFAULT_WINDOW = 1024;

/** Nearest-rank percentile (q in 0..1) of values sorted ascending; 0 for none. */
export function percentile(sortedAscending: readonly number[], q: number): number {
  if (sortedAscending.length === 0) return 0;
  const rank = Math.ceil(q * sortedAscending.length);
  return sortedAscending[Math.min(sortedAscending.length, Math.max(1, rank)) - 1] as number;
}

export class LatencyWindow {
  private readonly samples: number[] = [];
  private next = 0;
  private total = 0;

  constructor(private readonly size = DEFAULT_WINDOW) {}

  record(ms: number): void {
    this.total++;
    if (this.samples.length < this.size) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.size;
  }

  summary(): LatencySummary {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const mean = sorted.length === 0 ? 0 : sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length;
    return { count: this.total, meanMs: round(mean), p50Ms: round(percentile(sorted, 0.5)), p99Ms: round(percentile(sorted, 0.99)) };
  }
}

export class TierStatsRecorder {
  readonly counters: TierCounters = { hits: 0, misses: 0, errors: 0, sets: 0, backfills: 0, deletes: 0, invalidations: 0 };
  readonly latency = new LatencyWindow();

  count(counter: keyof TierCounters): void {
    this.counters[counter]++;
  }

  snapshot(details: Record<string, unknown>): TierStats {
    return { ...this.counters, latency: this.latency.summary(), ...details };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/**
 * Turns cumulative totals kept elsewhere (the cache's per-tier statistics) into Prometheus counter
 * increments: each scrape adds what grew since the last one. A total that went down (a restarted
 * component) is taken as a fresh start, so the counter never decreases.
 */
export class CounterSync {
  private readonly seen = new Map<string, number>();

  /** How much to add to the counter identified by `key` now that its source total is `total`. */
  increment(key: string, total: number): number {
    const previous = this.seen.get(key) ?? 0;
    this.seen.set(key, total);
    return total >= previous ? total - previous : total;
  }
}

/** A state set (one series per possible state, 1 for the current one), as Prometheus models an enum. */
export function stateSetValues<S extends string>(states: readonly S[], current: S | undefined): Record<S, 0 | 1> {
  return Object.fromEntries(states.map((state) => [state, state === current ? 1 : 0])) as Record<S, 0 | 1>;
}

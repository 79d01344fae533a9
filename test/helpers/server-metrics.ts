/** Reads the Temporal server's own request counters from its Prometheus endpoint (`--metrics-port`). */
export type RequestCounts = Map<string, number>;

/** Frontend requests per operation (StartWorkflowExecution, QueryWorkflow, PollWorkflowTaskQueue, ...). */
export async function frontendRequestCounts(metricsUrl: string): Promise<RequestCounts> {
  const text = await (await fetch(metricsUrl)).text();
  const counts: RequestCounts = new Map();
  for (const line of text.split('\n')) {
    const match = /^service_requests\{([^}]*)\} ([0-9.e+]+)$/.exec(line);
    if (!match || !match[1]!.includes('service_name="frontend"')) continue;
    const operation = /operation="([^"]+)"/.exec(match[1]!)?.[1];
    if (operation) counts.set(operation, (counts.get(operation) ?? 0) + Number(match[2]));
  }
  return counts;
}

/** What happened between two readings, per operation (operations that did not move are left out). */
export function requestsBetween(before: RequestCounts, after: RequestCounts): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [operation, count] of after) {
    const moved = count - (before.get(operation) ?? 0);
    if (moved > 0) delta[operation] = moved;
  }
  return delta;
}

/** The server publishes its counters about once a second: a call shows in a reading this long after it was made. */
const PUBLISHED_WITHIN_MS = 1_500;

export interface SettledReading {
  counts: RequestCounts;
  /** `localCalls()` at the reading: the same calls as the server's counts include. */
  localCalls: number;
}

/**
 * The server's counters beside a count of calls this process makes on its own (the operation-mode
 * watches' history polls), read while that count held still for a publish period: a call made just before
 * a reading would otherwise be in one count and not yet in the other.
 */
export async function settledRequestCounts(metricsUrl: string, localCalls: () => number): Promise<SettledReading> {
  for (;;) {
    const local = localCalls();
    await new Promise((resolve) => setTimeout(resolve, PUBLISHED_WITHIN_MS));
    const counts = await frontendRequestCounts(metricsUrl);
    if (localCalls() === local) return { counts, localCalls: local };
  }
}

/** History calls between two settled readings, less the ones this process made on its own. */
export function historyCallsBetween(before: SettledReading, after: SettledReading): { historyCalls: number; moved: Record<string, number> } {
  const moved = requestsBetween(before.counts, after.counts);
  const historyCalls = (moved.GetWorkflowExecutionHistory ?? 0) + (moved.PollWorkflowExecutionHistory ?? 0) - (after.localCalls - before.localCalls);
  return { historyCalls, moved };
}

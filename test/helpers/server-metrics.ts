/** Reads the Temporal server's own request counters from its Prometheus endpoint (`--metrics-port`). */
export type RequestCounts = Map<string, number>;

/** Sums a counter's samples in a Prometheus text page, keyed by what `keyOf` makes of each sample's labels. */
function countsIn(page: string, counter: string, keyOf: (labels: string) => string | undefined): RequestCounts {
  const counts: RequestCounts = new Map();
  const sample = new RegExp(`^${counter}\\{([^}]*)\\} ([0-9.e+]+)$`);
  for (const line of page.split('\n')) {
    const match = sample.exec(line);
    const key = match ? keyOf(match[1]!) : undefined;
    if (key) counts.set(key, (counts.get(key) ?? 0) + Number(match![2]));
  }
  return counts;
}

/** Frontend requests per operation (StartWorkflowExecution, QueryWorkflow, PollWorkflowTaskQueue, ...). */
export function frontendRequestCountsIn(page: string): RequestCounts {
  return countsIn(page, 'service_requests', (labels) => (labels.includes('service_name="frontend"') ? /operation="([^"]+)"/.exec(labels)?.[1] : undefined));
}

export async function frontendRequestCounts(metricsUrl: string): Promise<RequestCounts> {
  return frontendRequestCountsIn(await (await fetch(metricsUrl)).text());
}

/**
 * Task-queue polls that matching answered empty after holding them for its long-poll interval, by the
 * frontend operation that made them. A worker's idle pollers (on queues with nothing to do) expire in
 * bursts about once a minute; such a poll is in the frontend's counts but was made for no task.
 */
export function expiredPollCountsIn(page: string): RequestCounts {
  return countsIn(page, 'poll_timeouts', (labels) => {
    const taskType = /task_type="(Workflow|Activity)"/.exec(labels)?.[1];
    return taskType && (taskType === 'Workflow' ? 'PollWorkflowTaskQueue' : 'PollActivityTaskQueue');
  });
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

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

/**
 * The error type of every earlier attempt of a provider step. Each attempt hands its own to the next
 * through heartbeat details; an attempt whose worker died (killed, lost) hands nothing, and Temporal
 * retries it after the heartbeat timeout. Those attempts still happened: they are `Interrupted`.
 */
export const INTERRUPTED_ATTEMPT = 'Interrupted';
/** An attempt cut off because its worker stopped (SIGTERM past the shutdown grace period). */
export const WORKER_SHUTDOWN_ATTEMPT = 'WorkerShutdown';

export function attemptErrorsBefore(attempt: number, recorded: readonly string[]): string[] {
  const earlier = Math.max(0, attempt - 1);
  const known = recorded.slice(0, earlier);
  return [...known, ...Array.from({ length: earlier - known.length }, () => INTERRUPTED_ATTEMPT)];
}

/** The earlier attempts' error types from what an attempt hands the next (heartbeat details, failure details). */
export function earlierAttemptErrors(carried: unknown): string[] {
  const errors = (carried as { attemptErrors?: unknown } | undefined)?.attemptErrors;
  return Array.isArray(errors) ? errors.filter((entry): entry is string => typeof entry === 'string') : [];
}

/**
 * What the API and the worker do when no Temporal server answers at start: say once, in one line,
 * which address they tried and what to run, then keep trying until it answers or the process is stopped.
 * Either process may so be started before Temporal (compose, systemd, a second terminal).
 */
import type { ConnectionLike } from '@temporalio/client';
import type { AppConfig } from '../config';

export const TEMPORAL_RETRY_INTERVAL_MS = 2_000;
/** After the first line, a reminder this often while Temporal still does not answer. */
const REMINDER_INTERVAL_MS = 60_000;

/** The line a person reads when nothing answers at the configured address (the logger adds the process name). */
export function temporalUnreachableMessage(temporal: Pick<AppConfig['temporal'], 'address' | 'embeddedServer'>, consequence: string): string {
  const fix = temporal.embeddedServer
    ? 'start one with `npm run dev-server` (or run everything with `npm start`), or set TEMPORAL_ADDRESS to a running server'
    : 'check that the server in TEMPORAL_ADDRESS runs and is reachable, or unset TEMPORAL_ADDRESS and start one with `npm run dev-server`';
  return `no Temporal server answers at ${temporal.address}: ${fix}; ${consequence}`;
}

export interface RetryUntilReachableOptions {
  /** Called after the first failed attempt, then every minute while the attempts keep failing. */
  onUnreachable(error: unknown, attempts: number): void;
  retryIntervalMs?: number;
  /** Stops the waiting; the promise then resolves to undefined. */
  signal?: AbortSignal;
  /** The caller has just said it once: the next word is the reminder a minute later. */
  alreadyReported?: boolean;
}

/** Calls `connect` until it succeeds; undefined when `signal` stopped the waiting first. */
export async function retryUntilReachable<T>(connect: () => Promise<T>, options: RetryUntilReachableOptions): Promise<T | undefined> {
  const interval = options.retryIntervalMs ?? TEMPORAL_RETRY_INTERVAL_MS;
  let attempts = 0;
  let lastReminder = options.alreadyReported ? Date.now() : -Infinity;
  while (!options.signal?.aborted) {
    try {
      return await connect();
    } catch (error) {
      attempts += 1;
      if (Date.now() - lastReminder >= REMINDER_INTERVAL_MS) {
        lastReminder = Date.now();
        options.onUnreachable(error, attempts);
      }
    }
    if (options.signal?.aborted) break;
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, interval);
      options.signal?.addEventListener('abort', wake, { once: true });
    });
  }
  return undefined;
}

/** One round trip to the frontend, bounded: resolves when the server answers. */
export async function pingTemporal(connection: ConnectionLike, timeoutMs = 2_000): Promise<void> {
  await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
}

/** An AbortSignal that fires on SIGINT/SIGTERM, for waits that happen before the SDK handles signals. */
export function abortOnStopSignals(): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    },
  };
}

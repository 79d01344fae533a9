/**
 * Follows one workflow's history with the server's long-poll, so a process can keep what it read from
 * that workflow for as long as nothing has happened to it, instead of asking again every second. The
 * operation-mode reads use it: every process's memo of the mode is then invalidated by the mode
 * workflow's next event, within milliseconds, and costs one long-poll per event batch of that workflow.
 */
import type { Client } from '@temporalio/client';

/** A long-poll that outlives this (the server answers empty after about 20 s) has gone wrong. */
const POLL_DEADLINE_MS = 60_000;
/** How long stop() waits for the loop to notice. */
const STOP_GRACE_MS = 2_000;

let pollsInThisProcess = 0;

/** History calls made by every watch of this process so far (what a count of the server's own history calls includes besides the jobs'). */
export const historyWatchPolls = (): number => pollsInThisProcess;

export interface HistoryChangeWatchOptions {
  /** Wait before following again after an error, or after the run ended (continue-as-new). */
  retryMs?: number;
}

export class HistoryChangeWatch {
  private changes = 0;
  private following = false;
  private stopped = false;
  private running?: Promise<void>;
  private call?: AbortController;
  private pause?: { timer: NodeJS.Timeout; resolve: () => void };

  constructor(
    private readonly client: Client,
    private readonly workflowId: string,
    private readonly options: HistoryChangeWatchOptions = {},
  ) {}

  /** Starts following (once); reads made before the first answer are not vouched for. */
  start(): void {
    if (!this.stopped) this.running ??= this.follow();
  }

  /**
   * A mark to take before reading the workflow: the read is still current while `unchanged(mark)` holds,
   * that is while the watch is in step with the history and no event has come since the mark.
   */
  mark(): number {
    return this.changes;
  }

  unchanged(mark: number): boolean {
    return this.following && mark === this.changes;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.following = false;
    this.call?.abort();
    if (this.pause) {
      clearTimeout(this.pause.timer);
      this.pause.resolve();
    }
    // A connection that cannot abort a call (the worker's native one) would hold this for the rest of
    // the long-poll: the loop ends by itself when that call returns.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise<void>((resolve) => (grace = setTimeout(resolve, STOP_GRACE_MS).unref()))]);
    clearTimeout(grace);
  }

  private async follow(): Promise<void> {
    let token: Uint8Array | undefined;
    while (!this.stopped) {
      let events: number;
      let next: Uint8Array | undefined;
      try {
        const response = await this.poll(token);
        events = response.history?.events?.length ?? 0;
        next = response.nextPageToken && response.nextPageToken.length > 0 ? response.nextPageToken : undefined;
      } catch {
        // Not found yet, Temporal away, or stopped: nothing is vouched for until an answer comes again.
        this.interrupt();
        await this.wait();
        continue;
      }
      if (events > 0) this.changes++;
      if (!next) {
        // The run has ended (the mode workflow continues as new): start again on the workflow's current run.
        this.interrupt();
        token = undefined;
        await this.wait();
        continue;
      }
      token = next;
      this.following = true;
    }
  }

  private poll(token: Uint8Array | undefined) {
    const call = new AbortController();
    this.call = call;
    pollsInThisProcess++;
    return this.client.connection.withAbortSignal(call.signal, () =>
      this.client.connection.withDeadline(Date.now() + POLL_DEADLINE_MS, () =>
        this.client.workflowService.getWorkflowExecutionHistory({
          namespace: this.client.options.namespace,
          execution: { workflowId: this.workflowId },
          waitNewEvent: true,
          ...(token && { nextPageToken: token }),
        }),
      ),
    );
  }

  private interrupt(): void {
    this.following = false;
    this.changes++;
  }

  /** Unref'd: a watch never keeps its process alive. */
  private wait(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pause = undefined;
        resolve();
      }, this.options.retryMs ?? 1_000);
      timer.unref();
      this.pause = { timer, resolve };
    });
  }
}

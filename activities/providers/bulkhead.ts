/**
 * The per-process cap on concurrent calls to one provider (the design's `max_concurrent`). On a
 * provider's own queue the worker's slots already hold calls to it; a provider called from the main
 * queue (no server-side rate limit) is held here. Waiters are served in arrival order; a waiter whose
 * signal aborts (the job was cancelled, the worker stops) leaves the line.
 */
export class Bulkhead {
  private inUse = 0;
  private readonly waiting: Array<{ grant: () => void }> = [];

  constructor(readonly capacity: number) {}

  async acquire(signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    if (this.inUse < this.capacity) {
      this.inUse++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal.removeEventListener('abort', leave);
          resolve();
        },
      };
      const leave = () => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', leave, { once: true });
      this.waiting.push(waiter);
    });
    return this.releaser();
  }

  get active(): number {
    return this.inUse;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter.
      if (next) next.grant();
      else this.inUse--;
    };
  }
}

/** The least time a call is sent with: half the provider timeout, at most a second. */
export const MIN_CALL_TIME_MS = 1_000;

/**
 * Whether a slot granted after a wait still leaves time for a call. One that would go out with a few
 * milliseconds left cannot be answered, and may still be billed: it is not sent, and the wait counts as
 * the bulkhead's timeout.
 */
export function leavesTimeForCall(remainingMs: number, timeoutMs: number): boolean {
  return remainingMs >= Math.min(MIN_CALL_TIME_MS, timeoutMs / 2);
}

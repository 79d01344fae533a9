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

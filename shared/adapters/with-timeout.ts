export class OperationTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`operation timed out after ${timeoutMs} ms`);
    this.name = 'OperationTimeoutError';
  }
}

/** Settles like `promise`, or rejects with OperationTimeoutError after `timeoutMs`, whichever is first. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OperationTimeoutError(timeoutMs)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * An AbortSignal that aborts with a TimeoutError after `timeoutMs`, like `AbortSignal.timeout`, but
 * held by its timer until it fires. Node 20 holds `AbortSignal.timeout` weakly, and `AbortSignal.any`
 * holds its sources weakly: a timeout signal only reached through `any` is collected by the next GC
 * and never aborts (a `?wait=1` read held for 6 s, until its job finished). With `orWhenAborted`,
 * it also aborts when that signal does.
 */
export function timeoutSignal(timeoutMs: number, orWhenAborted?: AbortSignal): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs).unref();
  return orWhenAborted ? AbortSignal.any([controller.signal, orWhenAborted]) : controller.signal;
}

/**
 * Settles like `promise`, or rejects with the signal's reason once it aborts, whichever is first.
 * For calls that cannot be cancelled: the caller stops waiting, and the call's own end is ignored.
 */
export function untilAborted<T>(signal: AbortSignal, promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason);
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

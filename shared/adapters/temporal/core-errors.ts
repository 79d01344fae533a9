/** The errors of `CoreConnection` (core-connection.ts): its own, and Core's made to read as grpc-js's. */
export const GRPC_CANCELLED = 1;
export const GRPC_DEADLINE_EXCEEDED = 4;
export const GRPC_INTERNAL = 13;
export const GRPC_UNAVAILABLE = 14;

/** Shaped like the SDK's gRPC errors (`isGrpcServiceError`), so callers classify it as they classify those. */
export class CoreCallError extends Error {
  /** No status details here: the SDK reads them with `metadata.get()`. */
  readonly metadata = { get: (): Buffer[] => [] };
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`${code} ${details}`);
    this.name = 'ServiceError';
  }
}

/**
 * Core's errors as grpc-js gives them, which is what the SDK and the callers here read. Core reports as
 * CANCELLED both a request that outlived its timeout ("Timeout expired"; grpc-js: DEADLINE_EXCEEDED) and
 * one whose connection the server closed under it ("operation was canceled": the server ends every
 * connection after 5 minutes with a GOAWAY; grpc-js: UNAVAILABLE, retried like any unreachable moment).
 * A request caught in that connection's last moments can instead fail INTERNAL "h2 protocol error" (tonic
 * maps the HTTP/2 layer's reasons to INTERNAL): that is the transport, not the server, so UNAVAILABLE too.
 * It puts the server's message in `message` with empty `details` (the SDK builds e.g. "not found"
 * errors from `details`): that is filled in place, so the error keeps its class and metadata.
 */
export function asGrpcJsError(error: unknown, deadline: number, signal: AbortSignal | undefined, now: number = Date.now()): unknown {
  const failure = error as { code?: unknown; message?: string; details?: string };
  if (failure?.code === GRPC_CANCELLED && !signal?.aborted) {
    const late = failure.message === 'Timeout expired' || now >= deadline - 5;
    return late ? new CoreCallError(GRPC_DEADLINE_EXCEEDED, 'Deadline exceeded') : new CoreCallError(GRPC_UNAVAILABLE, failure.message || 'connection lost');
  }
  if (failure?.code === GRPC_INTERNAL && /^h2 protocol error/.test(failure.message ?? '')) return new CoreCallError(GRPC_UNAVAILABLE, failure.message!);
  if (typeof failure?.code === 'number' && failure.details === '' && failure.message) failure.details = failure.message;
  return error;
}

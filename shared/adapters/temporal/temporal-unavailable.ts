/**
 * "Temporal is away" as one typed error, and the one function that decides which client errors mean it:
 * the connection is down (gRPC UNAVAILABLE) or the server did not answer in time (DEADLINE_EXCEEDED).
 * Every other answer from the server, a NOT_FOUND included, proves it reachable.
 */
import { isGrpcServiceError } from '@temporalio/client';

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

export type TemporalUnreachableReason = 'unreachable' | 'timeout';

/**
 * What a failed Temporal client call says about the server: away (`unreachable`, `timeout`), there but
 * refusing this call (`answered`), or nothing (`other`: the error did not come from a gRPC call).
 */
export function classifyTemporalError(error: unknown): TemporalUnreachableReason | 'answered' | 'other' {
  // Client errors wrap the gRPC error one or two levels down (ServiceError, update and query errors).
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (isGrpcServiceError(current)) {
      if (current.code === GRPC_UNAVAILABLE) return 'unreachable';
      if (current.code === GRPC_DEADLINE_EXCEEDED) return 'timeout';
      return 'answered';
    }
    current = (current as { cause?: unknown }).cause;
  }
  return 'other';
}

export function temporalUnreachableReason(error: unknown): TemporalUnreachableReason | undefined {
  const kind = classifyTemporalError(error);
  return kind === 'unreachable' || kind === 'timeout' ? kind : undefined;
}

export class TemporalUnavailableError extends Error {
  constructor(
    readonly address: string,
    readonly reason: TemporalUnreachableReason | 'failing-fast',
    /** What a client is told to wait (Retry-After). */
    readonly retryAfterSeconds: number,
    timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(
      reason === 'timeout'
        ? `Temporal at ${address} did not answer within ${timeoutMs} ms; retry shortly`
        : `Temporal at ${address} is not reachable; retry shortly`,
      options,
    );
    this.name = 'TemporalUnavailableError';
  }
}

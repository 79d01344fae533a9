/**
 * "Temporal is away" as one typed error, and the one function that decides which client errors mean it:
 * the connection is down (gRPC UNAVAILABLE), the server did not answer in time (DEADLINE_EXCEEDED) or
 * turned the call away for load (RESOURCE_EXHAUSTED). Every other answer, a NOT_FOUND included, proves
 * it reachable and is the caller's to handle.
 */
import { isGrpcServiceError } from '@temporalio/client';

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;

export type TemporalUnreachableReason = 'unreachable' | 'timeout' | 'overloaded';

const REASON_BY_CODE: Record<number, TemporalUnreachableReason> = {
  [GRPC_UNAVAILABLE]: 'unreachable',
  [GRPC_DEADLINE_EXCEEDED]: 'timeout',
  [GRPC_RESOURCE_EXHAUSTED]: 'overloaded',
};

/**
 * What a failed Temporal client call says about the server: away (`unreachable`, `timeout`), there but
 * refusing this call (`answered`), or nothing (`other`: the error did not come from a gRPC call).
 */
export function classifyTemporalError(error: unknown): TemporalUnreachableReason | 'answered' | 'other' {
  // Client errors wrap the gRPC error one or two levels down (ServiceError, update and query errors).
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (isGrpcServiceError(current)) return REASON_BY_CODE[current.code] ?? 'answered';
    current = (current as { cause?: unknown }).cause;
  }
  return 'other';
}

export function temporalUnreachableReason(error: unknown): TemporalUnreachableReason | undefined {
  const kind = classifyTemporalError(error);
  return kind === 'answered' || kind === 'other' ? undefined : kind;
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
    const what = { timeout: `did not answer within ${timeoutMs} ms`, overloaded: 'is overloaded', unreachable: 'is not reachable', 'failing-fast': 'is not reachable' }[reason];
    super(`Temporal at ${address} ${what}; retry shortly`, options);
    this.name = 'TemporalUnavailableError';
  }
}

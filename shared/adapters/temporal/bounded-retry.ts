/**
 * The Temporal client's gRPC retry policy, bounded in time. The SDK's own interceptor retries an
 * unreachable server ten times, sleeping up to 5 s between attempts (15–20 s in all), and sleeps its full
 * backoff even past a call's deadline. Here no call retries past its deadline, no sleep outlasts it, and
 * an unreachable server (UNAVAILABLE) is given up on after `giveUpAfterMs`; other retryable answers
 * (an overloaded server) keep the whole deadline.
 */
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions, type GrpcRetryOptions } from '@temporalio/client';

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];
type Deadline = Date | number | undefined;
type Status = Parameters<GrpcRetryOptions['retryableDecider']>[1];

const GRPC_UNAVAILABLE = 14;

const deadlineMsOf = (deadline: Deadline): number => (deadline === undefined ? Infinity : deadline instanceof Date ? deadline.getTime() : deadline);

export interface RetryLimits {
  /** The call's deadline (ms since the epoch; Infinity without one). */
  deadlineMs: number;
  /** When to stop retrying an unreachable server (ms since the epoch). */
  unreachableUntilMs: number;
}

/** The base policy's decision and delay, cut to what is left before the limit that applies to `status`. */
export function boundedRetryOptions(base: GrpcRetryOptions, limits: RetryLimits, now: () => number = Date.now): GrpcRetryOptions {
  const limitFor = (status: Status) => (status.code === GRPC_UNAVAILABLE ? Math.min(limits.deadlineMs, limits.unreachableUntilMs) : limits.deadlineMs);
  return {
    retryableDecider: (attempt, status) => now() < limitFor(status) && base.retryableDecider(attempt, status),
    delayFunction: (attempt, status) => Math.min(base.delayFunction(attempt, status), Math.max(0, limitFor(status) - now())),
  };
}

export function boundedRetryInterceptor({ giveUpAfterMs = Infinity, base = defaultGrpcRetryOptions() }: { giveUpAfterMs?: number; base?: GrpcRetryOptions } = {}): Interceptor {
  return (options, nextCall) => {
    const limits = { deadlineMs: deadlineMsOf(options.deadline), unreachableUntilMs: Date.now() + giveUpAfterMs };
    return makeGrpcRetryInterceptor(boundedRetryOptions(base, limits))(options, nextCall);
  };
}

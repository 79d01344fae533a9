/**
 * The Temporal client's gRPC retry policy, bounded in time. The SDK's own interceptor retries an
 * unreachable server ten times, sleeping up to 5 s between attempts (15–20 s in all), and sleeps its full
 * backoff even past a call's deadline. Here a call stops retrying at its deadline or after `giveUpAfterMs`,
 * whichever comes first, and no sleep outlasts that limit.
 */
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions, type GrpcRetryOptions } from '@temporalio/client';

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];
type Deadline = Date | number | undefined;

const deadlineMsOf = (deadline: Deadline): number => (deadline === undefined ? Infinity : deadline instanceof Date ? deadline.getTime() : deadline);

/** The base policy's decision and delay, cut to what is left before `limitMs`. */
export function boundedRetryOptions(base: GrpcRetryOptions, limitMs: number, now: () => number = Date.now): GrpcRetryOptions {
  return {
    retryableDecider: (attempt, status) => now() < limitMs && base.retryableDecider(attempt, status),
    delayFunction: (attempt, status) => Math.min(base.delayFunction(attempt, status), Math.max(0, limitMs - now())),
  };
}

export function boundedRetryInterceptor({ giveUpAfterMs = Infinity, base = defaultGrpcRetryOptions() }: { giveUpAfterMs?: number; base?: GrpcRetryOptions } = {}): Interceptor {
  return (options, nextCall) => {
    const limitMs = Math.min(deadlineMsOf(options.deadline), Date.now() + giveUpAfterMs);
    return makeGrpcRetryInterceptor(boundedRetryOptions(base, limitMs))(options, nextCall);
  };
}

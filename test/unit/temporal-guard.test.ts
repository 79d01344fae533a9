import assert from 'node:assert/strict';
import { defaultGrpcRetryOptions, ServiceError } from '@temporalio/client';
import { boundedRetryOptions } from '../../shared/adapters/temporal/bounded-retry';
import { TemporalGuard } from '../../shared/adapters/temporal/temporal-guard';
import { classifyTemporalError, TemporalUnavailableError } from '../../shared/adapters/temporal/temporal-unavailable';

/** The shape grpc-js gives a failed call: a numeric code, details and metadata. */
const grpcError = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
const UNAVAILABLE = grpcError(14, 'UNAVAILABLE: No connection established');
const DEADLINE_EXCEEDED = grpcError(4, 'DEADLINE_EXCEEDED: Deadline exceeded');
const NOT_FOUND = grpcError(5, 'NOT_FOUND: workflow not found');

describe('Temporal unavailability: classification, bounded retries, the guard', () => {
  describe('classifyTemporalError', () => {
    it('finds the gRPC status under the client wrappers', () => {
      assert.equal(classifyTemporalError(UNAVAILABLE), 'unreachable');
      assert.equal(classifyTemporalError(new ServiceError('Failed to start Workflow', { cause: UNAVAILABLE })), 'unreachable');
      assert.equal(classifyTemporalError(new ServiceError('Failed to query Workflow', { cause: DEADLINE_EXCEEDED })), 'timeout');
      assert.equal(classifyTemporalError(grpcError(8, 'RESOURCE_EXHAUSTED: namespace rate limit exceeded')), 'overloaded');
    });

    it('counts any other gRPC answer as the server answering, and anything else as no evidence', () => {
      assert.equal(classifyTemporalError(NOT_FOUND), 'answered');
      assert.equal(classifyTemporalError(new Error('boom')), 'other');
      assert.equal(classifyTemporalError(Object.assign(new Error('pg'), { code: 'ECONNREFUSED' })), 'other');
      assert.equal(classifyTemporalError(undefined), 'other');
    });
  });

  describe('boundedRetryOptions', () => {
    const base = defaultGrpcRetryOptions();
    const status = { code: 14, details: 'UNAVAILABLE', metadata: {} } as never;
    const overloaded = { code: 8, details: 'RESOURCE_EXHAUSTED', metadata: {} } as never;

    it('retries as the SDK would while time is left, never sleeping past the deadline', () => {
      const bounded = boundedRetryOptions(base, { deadlineMs: 1_000, unreachableUntilMs: Infinity }, () => 900);
      assert.equal(bounded.retryableDecider(1, status), true);
      assert.ok(bounded.delayFunction(8, status) <= 100, 'a 5 s backoff is cut to the 100 ms left');
    });

    it('stops retrying at the deadline', () => {
      const bounded = boundedRetryOptions(base, { deadlineMs: 1_000, unreachableUntilMs: Infinity }, () => 1_000);
      assert.equal(bounded.retryableDecider(1, status), false);
      assert.equal(bounded.delayFunction(1, status), 0);
    });

    it('gives up on an unreachable server early, on an overloaded one only at the deadline', () => {
      const bounded = boundedRetryOptions(base, { deadlineMs: 10_000, unreachableUntilMs: 1_000 }, () => 1_500);
      assert.equal(bounded.retryableDecider(1, status), false);
      assert.equal(bounded.retryableDecider(1, overloaded), true);
    });

    it('changes nothing without limits', () => {
      const bounded = boundedRetryOptions(base, { deadlineMs: Infinity, unreachableUntilMs: Infinity }, () => 0);
      assert.equal(bounded.retryableDecider(1, status), base.retryableDecider(1, status));
      assert.equal(bounded.retryableDecider(10, status), false);
    });
  });

  describe('TemporalGuard', () => {
    let clock: number;
    let serverUp: boolean;
    let probes: number;
    const deadlines: number[] = [];
    const connection = {
      withDeadline: <T>(deadline: number | Date, fn: () => Promise<T>) => {
        deadlines.push(Number(deadline));
        return fn();
      },
    };
    const probe = async () => {
      probes++;
      if (!serverUp) throw UNAVAILABLE;
    };
    const newGuard = () =>
      new TemporalGuard(connection, { address: '127.0.0.1:7233', timeoutMs: 2_000, retryAfterSeconds: 3, probe, probeTimeoutMs: 500, probeIntervalMs: 1_000, now: () => clock });
    const failWith = (error: Error) => () => Promise.reject(error);
    const succeed = () => Promise.resolve('ok');
    const failingFast = (error: unknown) => error instanceof TemporalUnavailableError && error.reason === 'failing-fast';

    beforeEach(() => {
      clock = 1_000_000;
      serverUp = false;
      probes = 0;
      deadlines.length = 0;
    });

    it('gives each call the timeout as its deadline, plus a long poll its wait', async () => {
      const guard = newGuard();
      await guard.run(succeed);
      await guard.run(succeed, { waitMs: 30_000 });
      assert.deepEqual(deadlines, [clock + 2_000, clock + 32_000]);
    });

    it('turns an unreachable server into TemporalUnavailableError naming it, with Retry-After', async () => {
      const guard = newGuard();
      const error = await guard.run(failWith(new ServiceError('Failed to start Workflow', { cause: UNAVAILABLE }))).catch((caught: unknown) => caught);
      assert.ok(error instanceof TemporalUnavailableError);
      assert.equal(error.reason, 'unreachable');
      assert.equal(error.retryAfterSeconds, 3);
      assert.match(error.message, /Temporal at 127\.0\.0\.1:7233 is not reachable/);
      assert.equal(guard.reachable, false);
    });

    it('while away, answers at once without calling Temporal, probing at most once a second', async () => {
      const guard = newGuard();
      await assert.rejects(guard.run(failWith(UNAVAILABLE)), TemporalUnavailableError);
      let calls = 0;
      const counted = () => {
        calls++;
        return Promise.resolve('ok');
      };
      clock += 500;
      await assert.rejects(guard.run(counted), failingFast);
      assert.deepEqual([calls, probes], [0, 0]);
      clock += 600;
      await assert.rejects(guard.run(counted), failingFast);
      await assert.rejects(guard.run(counted), failingFast);
      assert.deepEqual([calls, probes], [0, 1], 'one probe, with its own short deadline');
      assert.equal(deadlines.at(-1), clock + 500);
    });

    it('once the probe finds the server back, the request and those waiting on the probe are served', async () => {
      const guard = newGuard();
      await assert.rejects(guard.run(failWith(UNAVAILABLE)));
      clock += 1_000;
      serverUp = true;
      const burst = await Promise.all(Array.from({ length: 5 }, () => guard.run(succeed)));
      assert.deepEqual(burst, ['ok', 'ok', 'ok', 'ok', 'ok']);
      assert.equal(probes, 1);
      assert.equal(guard.reachable, true);
    });

    it('reports a slow answer as unavailable without opening the breaker', async () => {
      const guard = newGuard();
      await assert.rejects(guard.run(failWith(DEADLINE_EXCEEDED)), (error: TemporalUnavailableError) => error.reason === 'timeout' && /did not answer within 2000 ms/.test(error.message));
      assert.equal(guard.reachable, true);
    });

    it('passes any other error through as it was', async () => {
      const guard = newGuard();
      await assert.rejects(guard.run(failWith(NOT_FOUND)), (error) => error === NOT_FOUND);
      assert.equal(guard.reachable, true);
      const plain = new Error('not a Temporal error');
      await assert.rejects(guard.run(failWith(plain)), (error) => error === plain);
    });
  });
});

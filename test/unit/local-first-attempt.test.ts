import assert from 'node:assert/strict';
import { ActivityFailure, ApplicationFailure, CancelledFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { retryAfterLocalAttempt } from '../../shared/core/resilience/local-first-attempt';

/** What a workflow sees when its local activity failed with `cause`. */
const failedWith = (cause: Error) => new ActivityFailure('activity failed', 'callProvider', '1', RetryState.MAXIMUM_ATTEMPTS_REACHED, 'worker', cause);
const RETRY = { maximumAttempts: 3, initialIntervalMs: 1_000 };
const spend = { attempt: 1, model: 'm', outcome: 'InvalidOutput', inputTokens: 10, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0, costNanoUsd: 7 };

describe('after a failed local first attempt', () => {
  it("retries a retryable failure after the delay it computed, carrying its errors and spend", () => {
    const failure = ApplicationFailure.create({ type: 'InvalidOutput', details: [{ attemptErrors: ['InvalidOutput'], attemptSpend: [spend], nextRetryDelayMs: 1_234 }] });
    assert.deepEqual(retryAfterLocalAttempt(failedWith(failure), RETRY), {
      errorType: 'InvalidOutput',
      delayMs: 1_234,
      earlier: { attempts: 1, attemptErrors: ['InvalidOutput'], attemptSpend: [spend] },
    });
  });

  it('ends the step on a final failure, a cancellation, or a step of one attempt', () => {
    assert.equal(retryAfterLocalAttempt(failedWith(ApplicationFailure.nonRetryable('bad key', 'AuthFailed')), RETRY), undefined);
    assert.equal(retryAfterLocalAttempt(failedWith(new CancelledFailure('cancelled')), RETRY), undefined);
    assert.equal(retryAfterLocalAttempt(failedWith(ApplicationFailure.retryable('busy', 'Overloaded')), { ...RETRY, maximumAttempts: 1 }), undefined);
  });

  it("retries its own timeout and a failure with no details after the policy's first interval", () => {
    assert.deepEqual(retryAfterLocalAttempt(failedWith(new TimeoutFailure('timed out', undefined, TimeoutType.START_TO_CLOSE)), RETRY), {
      errorType: 'Timeout',
      delayMs: 1_000,
      earlier: { attempts: 1, attemptErrors: ['Timeout'], attemptSpend: [] },
    });
    assert.equal(retryAfterLocalAttempt(failedWith(new Error('worker lost')), RETRY)?.errorType, 'Interrupted');
    assert.equal(retryAfterLocalAttempt(failedWith(ApplicationFailure.retryable('busy', 'Overloaded')), RETRY)?.delayMs, 1_000);
  });

  it('keeps only well-formed entries of the details it carries on', () => {
    const failure = ApplicationFailure.create({ type: 'Overloaded', details: [{ attemptErrors: [42], attemptSpend: [spend, { attempt: 'one' }, null], nextRetryDelayMs: -5 }] });
    assert.deepEqual(retryAfterLocalAttempt(failedWith(failure), RETRY), {
      errorType: 'Overloaded',
      delayMs: 1_000,
      earlier: { attempts: 1, attemptErrors: ['Overloaded'], attemptSpend: [spend] },
    });
  });
});

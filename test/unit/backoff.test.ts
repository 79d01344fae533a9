import assert from 'node:assert/strict';
import { backoffDelayMs, nextRetryDelayMs, withJitter, withUpwardJitter } from '../../shared/core/resilience/backoff';

const policy = { initialIntervalMs: 1000, backoffFactor: 1.5, maxIntervalMs: 10_000, jitter: 0.2 };
const always = (value: number) => () => value;

describe('backoff', () => {
  describe('withJitter', () => {
    it('spreads the delay over ±jitter: random 0 → −jitter, 0.5 → unchanged, 1 → +jitter', () => {
      assert.equal(withJitter(1000, 0.2, always(0)), 800);
      assert.equal(withJitter(1000, 0.2, always(0.5)), 1000);
      assert.equal(withJitter(1000, 0.2, always(1)), 1200);
    });

    it('never returns a negative delay, even with jitter above 1', () => {
      assert.equal(withJitter(1000, 1.5, always(0)), 0);
      assert.equal(withJitter(0, 0.2, always(1)), 0);
    });

    it('treats a negative jitter as none', () => {
      assert.equal(withJitter(1000, -0.3, always(0)), 1000);
    });
  });

  describe('withUpwardJitter', () => {
    it('only ever adds: random 0 → the delay itself, 1 → +jitter', () => {
      assert.equal(withUpwardJitter(5000, 0.2, always(0)), 5000);
      assert.equal(withUpwardJitter(5000, 0.2, always(1)), 6000);
    });
  });

  describe('backoffDelayMs', () => {
    it('waits the initial interval after attempt 1, then multiplies by the factor', () => {
      const delays = [1, 2, 3, 4].map((attempt) => backoffDelayMs({ ...policy, attempt }));
      assert.deepEqual(delays, [1000, 1500, 2250, 3375]);
    });

    it('is capped at maxIntervalMs', () => {
      assert.equal(backoffDelayMs({ ...policy, attempt: 20 }), 10_000);
    });

    it('treats attempt 0 or below as the first attempt', () => {
      assert.equal(backoffDelayMs({ ...policy, attempt: 0 }), 1000);
    });
  });

  describe('nextRetryDelayMs', () => {
    it('jitters the exponential delay both ways when the provider gave no Retry-After', () => {
      assert.equal(nextRetryDelayMs({ ...policy, attempt: 2, random: always(0) }), 1200);
      assert.equal(nextRetryDelayMs({ ...policy, attempt: 2, random: always(1) }), 1800);
    });

    it('stays within maxIntervalMs after jitter', () => {
      assert.equal(nextRetryDelayMs({ ...policy, attempt: 20, random: always(1) }), 10_000);
      assert.equal(nextRetryDelayMs({ ...policy, attempt: 20, random: always(0) }), 8000);
    });

    it('never retries sooner than Retry-After, even with the lowest jitter', () => {
      assert.equal(nextRetryDelayMs({ ...policy, attempt: 1, retryAfterMs: 30_000, random: always(0) }), 30_000);
    });

    it('jitters Retry-After only upward', () => {
      assert.equal(nextRetryDelayMs({ ...policy, attempt: 1, retryAfterMs: 30_000, random: always(1) }), 36_000);
    });

    it('does not cap Retry-After at maxIntervalMs', () => {
      assert.equal(nextRetryDelayMs({ ...policy, attempt: 1, retryAfterMs: 60_000, random: always(0) }), 60_000);
    });

    it('keeps the exponential delay when it is longer than a short Retry-After', () => {
      assert.equal(nextRetryDelayMs({ ...policy, attempt: 4, retryAfterMs: 100, random: always(0.5) }), 3375);
    });
  });
});

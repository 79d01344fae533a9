import assert from 'node:assert/strict';
import { attemptErrorsBefore } from '../../shared/core/resilience/interrupted-attempts';

describe('attemptErrorsBefore (earlier attempts of a provider step)', () => {
  it('keeps what earlier attempts reported', () => {
    assert.deepEqual(attemptErrorsBefore(1, []), []);
    assert.deepEqual(attemptErrorsBefore(3, ['RateLimited', 'ServerError']), ['RateLimited', 'ServerError']);
  });

  it('counts an attempt that reported nothing (its worker died) as Interrupted', () => {
    assert.deepEqual(attemptErrorsBefore(2, []), ['Interrupted']);
    assert.deepEqual(attemptErrorsBefore(4, ['RateLimited']), ['RateLimited', 'Interrupted', 'Interrupted']);
  });

  it('never lists more errors than earlier attempts', () => {
    assert.deepEqual(attemptErrorsBefore(2, ['RateLimited', 'ServerError']), ['RateLimited']);
  });
});

import assert from 'node:assert/strict';
import { firstAttemptFitsInWorkflowTask, type RecentCalls } from '../../shared/core/providers/first-attempt-fit';

const POLICY = { maxCallMs: 1_000, minSamples: 3, maxSampleAgeMs: 60_000 };
const NOW = 1_000_000;
const endedCalls = (...durations: number[]): RecentCalls['finished'] => durations.map((durationMs, index) => ({ endedAtMs: NOW - 1_000 * (durations.length - index), durationMs }));

describe("whether a first attempt runs inside the job's workflow task (LOCAL_FIRST_ATTEMPT=auto)", () => {
  it("fits once the worker's recent calls to the provider were all short", () => {
    assert.deepEqual(firstAttemptFitsInWorkflowTask({ finished: endedCalls(5, 900, 1_000), inFlightSinceMs: [NOW - 200] }, NOW, POLICY), { fits: true });
  });

  it('does not fit on a worker that has not seen enough calls yet', () => {
    const fit = firstAttemptFitsInWorkflowTask({ finished: endedCalls(5, 5), inFlightSinceMs: [] }, NOW, POLICY);
    assert.deepEqual(fit, { fits: false, why: '2 recent call(s), fewer than 3' });
  });

  it('does not fit while one recent call was slow', () => {
    const fit = firstAttemptFitsInWorkflowTask({ finished: endedCalls(5, 1_001, 5, 5), inFlightSinceMs: [] }, NOW, POLICY);
    assert.deepEqual(fit, { fits: false, why: 'a recent call took 1001 ms, over 1000 ms' });
  });

  it('does not fit while a call in flight has taken too long already, before it ends', () => {
    const fit = firstAttemptFitsInWorkflowTask({ finished: endedCalls(5, 5, 5), inFlightSinceMs: [NOW - 100, NOW - 1_500] }, NOW, POLICY);
    assert.deepEqual(fit, { fits: false, why: '1 call(s) in flight for over 1000 ms' });
  });

  it('forgets calls that ended too long ago, a slow one as well as fast ones', () => {
    const old = { endedAtMs: NOW - 61_000, durationMs: 30_000 };
    assert.deepEqual(firstAttemptFitsInWorkflowTask({ finished: [old, ...endedCalls(5, 5, 5)], inFlightSinceMs: [] }, NOW, POLICY), { fits: true });
    const fit = firstAttemptFitsInWorkflowTask({ finished: [old, old, old, ...endedCalls(5)], inFlightSinceMs: [] }, NOW, POLICY);
    assert.deepEqual(fit, { fits: false, why: '1 recent call(s), fewer than 3' });
  });
});

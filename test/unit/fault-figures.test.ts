import assert from 'node:assert/strict';
import type { RequestRecord } from '../emulator/provider-emulator';
import { brokenPromises, duplicateCalls, percentile } from '../helpers/fault-figures';
import type { Exchange } from '../helpers/resilient-client';

const call = (document: string, at: number, closedAt: number, answered = true): RequestRecord => ({
  at,
  closedAt,
  finished: answered,
  document,
  fault: 'per-document',
  path: '/anthropic/v1/messages',
  model: 'm',
  headers: { xApiKey: false, authorization: true },
  body: {},
});

const exchange = (status: number | undefined, retryAfter?: string): Exchange => ({ method: 'GET', path: '/api/jobs/x', startedAt: 0, ms: 1, status, retryAfter, longPoll: false });

describe('fault suite figures', () => {
  describe('duplicateCalls', () => {
    const kill = [{ from: 1_000, to: 1_000 }];

    it('one answer per document is no duplicate; calls of other documents are not counted', () => {
      const figures = duplicateCalls([call('a', 0, 500), call('b', 600, 1_200), call('other', 0, 10)], new Map([['a', 1], ['b', 1]]), kill);
      assert.deepEqual(figures, { calls: 2, exposed: 1, duplicates: 0, outsideFaults: 0, unexplained: [] });
    });

    it('a second answer is accounted for when the job recorded a second attempt', () => {
      const figures = duplicateCalls([call('a', 900, 990), call('a', 7_000, 7_100)], new Map([['a', 2]]), kill);
      assert.equal(figures.duplicates, 1);
      assert.equal(figures.outsideFaults, 0);
      assert.deepEqual(figures.unexplained, []);
    });

    it('a second answer the job did not record as an attempt is a defect', () => {
      const figures = duplicateCalls([call('a', 900, 990), call('a', 7_000, 7_100)], new Map([['a', 1]]), kill);
      assert.deepEqual(figures.unexplained, [{ document: 'a', answered: 2, attemptsRecorded: 1, models: ['m', 'm'] }]);
    });

    it('a repeated answer whose first call began after the fault is counted apart (an attempt that timed out)', () => {
      const figures = duplicateCalls([call('a', 2_000, 2_100), call('a', 7_000, 7_100)], new Map([['a', 2]]), kill);
      assert.equal(figures.outsideFaults, 1);
      assert.deepEqual(figures.unexplained, []);
    });

    it('failed or aborted calls are retries, not duplicate answers', () => {
      const figures = duplicateCalls([call('a', 0, 5, false), call('a', 10, 20, false), call('a', 30, 40)], new Map([['a', 3]]), []);
      assert.deepEqual(figures, { calls: 3, exposed: 0, duplicates: 0, outsideFaults: 0, unexplained: [] });
    });
  });

  it('brokenPromises: every 5xx but a 503 with Retry-After', () => {
    const broken = brokenPromises([exchange(200), exchange(503, '1'), exchange(503), exchange(500), exchange(undefined), exchange(404)]);
    assert.deepEqual(broken.map((entry) => entry.status), [503, 500]);
  });

  it('percentile: nearest rank', () => {
    assert.equal(percentile([], 99), undefined);
    assert.equal(percentile([5], 99), 5);
    assert.equal(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99), 99);
    assert.equal(percentile([3, 1, 2], 50), 2);
  });
});

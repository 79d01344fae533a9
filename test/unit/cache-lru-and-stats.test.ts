import assert from 'node:assert/strict';
import { LruMap } from '../../shared/adapters/cache/lru';
import { LatencyWindow, percentile } from '../../shared/adapters/cache/stats';

describe('cache LRU map', () => {
  it('evicts the least recently used entry beyond its capacity', () => {
    const lru = new LruMap<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.get('a');
    lru.set('c', 3);
    assert.deepEqual([...lru].map(([key]) => key), ['a', 'c']);
  });

  it('overwriting a key refreshes it without growing', () => {
    const lru = new LruMap<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('a', 10);
    lru.set('c', 3);
    assert.equal(lru.size, 2);
    assert.equal(lru.get('a'), 10);
    assert.equal(lru.get('b'), undefined);
  });

  it('stores falsy values and tells them apart from a miss', () => {
    const lru = new LruMap<string, unknown>(3);
    lru.set('zero', 0);
    assert.equal(lru.get('zero'), 0);
    assert.equal(lru.get('missing'), undefined);
  });

  it('with capacity 0 stores nothing', () => {
    const lru = new LruMap<string, number>(0);
    lru.set('a', 1);
    assert.equal(lru.size, 0);
  });
});

describe('cache latency stats', () => {
  it('percentile is nearest-rank over sorted values, 0 for none', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(values, 0.5), 50);
    assert.equal(percentile(values, 0.99), 99);
    assert.equal(percentile(values, 1), 100);
    assert.equal(percentile([], 0.99), 0);
  });

  it('summarizes only the most recent window but counts every operation', () => {
    const window = new LatencyWindow(4);
    for (const ms of [100, 100, 100, 1, 2, 3, 4]) window.record(ms);
    assert.deepEqual(window.summary(), { count: 7, meanMs: 2.5, p50Ms: 2, p99Ms: 4 });
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JSON_VALUES } from '../helpers/json-values';
import { createAnalysisCache, type AnalysisCacheOptions, type TieredCache } from '../../shared/adapters/cache';


const ONE_MB_VALUE = { text: 'x'.repeat(1024 * 1024), items: Array.from({ length: 1000 }, (_, i) => i) };

describe('analysis cache: memory and disk tiers', () => {
  let diskDir: string;
  const caches: TieredCache[] = [];
  const logs: string[] = [];
  const open = (options: AnalysisCacheOptions = {}) => {
    const cache = createAnalysisCache({ diskDir, log: (message) => logs.push(message), ...options });
    caches.push(cache);
    return cache;
  };
  /** A second view of the same disk tier, with no memory tier in front. */
  const diskOnly = () => open({ memoryCacheSize: 0 });

  beforeEach(() => {
    diskDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-tiered-'));
    logs.length = 0;
  });
  afterEach(async () => {
    await Promise.all(caches.splice(0).map((cache) => cache.close()));
    fs.rmSync(diskDir, { recursive: true, force: true });
  });

  it('returns undefined for a miss and every stored JSON value, falsy and empty ones included, from memory and from disk', async () => {
    const cache = open();
    for (const [key, value] of Object.entries(JSON_VALUES)) await cache.set(key, value, 60_000);
    const fromDisk = diskOnly();
    for (const [key, value] of Object.entries(JSON_VALUES)) {
      assert.deepEqual(await cache.get(key), value, `memory: ${key}`);
      assert.deepEqual(await fromDisk.get(key), value, `disk: ${key}`);
    }
    assert.equal(await cache.get('never-set'), undefined);
    assert.equal(cache.stats().tiers.memory?.hits, Object.keys(JSON_VALUES).length);
    assert.equal(fromDisk.stats().tiers.disk?.hits, Object.keys(JSON_VALUES).length);
  });

  it('stores and returns a 1 MB value in memory and on disk', async () => {
    const cache = open();
    await cache.set('big', ONE_MB_VALUE, 60_000);
    assert.deepEqual(await cache.get('big'), ONE_MB_VALUE);
    assert.deepEqual(await diskOnly().get('big'), ONE_MB_VALUE);
  });

  it('expires entries after their TTL in memory and on disk', async () => {
    const cache = open();
    const fromDisk = diskOnly();
    await cache.set('short', 'lived', 200);
    await cache.set('long', 'lived', 60_000);
    assert.equal(await cache.get('short'), 'lived');
    assert.equal(await fromDisk.get('short'), 'lived');
    await sleep(250);
    assert.equal(await cache.get('short'), undefined);
    assert.equal(await fromDisk.get('short'), undefined);
    assert.equal(await cache.get('long'), 'lived');
  });

  it('a disk hit fills the memory tier with the time the entry has left, not a fresh TTL', async () => {
    await diskOnly().set('k', 'from disk', 1000);
    await sleep(500);
    const cache = open();
    assert.equal(await cache.get('k'), 'from disk');
    assert.equal(cache.stats().tiers.disk?.hits, 1);
    assert.equal(cache.stats().tiers.memory?.backfills, 1);
    assert.equal(await cache.get('k'), 'from disk');
    assert.equal(cache.stats().tiers.memory?.hits, 1);
    // 1.1 s after the set: past the original TTL, though a fresh 1 s TTL from the back-fill would still run.
    await sleep(600);
    assert.equal(await cache.get('k'), undefined);
    assert.equal(cache.stats().tiers.memory?.misses, 2);
  });

  it('delete removes the entry from memory and disk', async () => {
    const cache = open();
    await cache.set('k', 1, 60_000);
    await cache.delete('k');
    assert.equal(await cache.get('k'), undefined);
    assert.equal(await diskOnly().get('k'), undefined);
  });

  it('invalidating a tag removes every entry with it from memory and disk, and keeps the others', async () => {
    const cache = open();
    await cache.set('summary', 's', 60_000, { tags: ['doc:1'] });
    await cache.set('sentiment', 'p', 60_000, { tags: ['doc:1', 'user:7'] });
    await cache.set('other', 'o', 60_000, { tags: ['doc:2'] });
    await cache.invalidateTag('doc:1');
    const fromDisk = diskOnly();
    for (const view of [cache, fromDisk]) {
      assert.equal(await view.get('summary'), undefined);
      assert.equal(await view.get('sentiment'), undefined);
      assert.equal(await view.get('other'), 'o');
    }
  });

  it('keeps at most memoryCacheSize entries in memory, evicting the least recently used to disk only', async () => {
    const cache = open({ memoryCacheSize: 2 });
    await cache.set('a', 1, 60_000);
    await cache.set('b', 2, 60_000);
    await cache.get('a');
    await cache.set('c', 3, 60_000);
    assert.equal(cache.stats().tiers.memory?.entries, 2);
    assert.equal(await cache.get('b'), 2);
    assert.deepEqual(
      { memoryMisses: cache.stats().tiers.memory?.misses, diskHits: cache.stats().tiers.disk?.hits },
      { memoryMisses: 1, diskHits: 1 },
    );
  });

  it('the disk tier survives closing and reopening the cache', async () => {
    const first = open();
    await first.set('k', { answer: 42 }, 60_000, { tags: ['doc:9'] });
    await first.close();
    const reopened = open();
    assert.deepEqual(await reopened.get('k'), { answer: 42 });
    await reopened.invalidateTag('doc:9');
    assert.equal(await reopened.get('k'), undefined);
  });

  it('counts hits, misses, sets and latency per tier, as plain JSON', async () => {
    const cache = open();
    await cache.set('k', 'v', 60_000);
    await cache.get('k');
    await cache.get('missing');
    const stats = JSON.parse(JSON.stringify(cache.stats()));
    assert.equal(stats.hits, 1);
    assert.equal(stats.misses, 1);
    assert.deepEqual(
      [stats.tiers.memory.hits, stats.tiers.memory.misses, stats.tiers.memory.sets, stats.tiers.memory.errors],
      [1, 1, 1, 0],
    );
    assert.deepEqual([stats.tiers.disk.hits, stats.tiers.disk.misses, stats.tiers.disk.sets], [0, 1, 1]);
    assert.equal(stats.tiers.memory.latency.count, 3);
    assert.equal(stats.tiers.redis, undefined);
  });

  it('peekDecoded answers a memory hit without a promise, counted as getDecoded counts it, and records nothing otherwise', async () => {
    const peeking = open();
    const awaiting = open();
    for (const cache of [peeking, awaiting]) await cache.set('k', { a: 1 }, 60_000);
    const decode = (entry: { json: string }) => JSON.parse(entry.json) as unknown;
    assert.deepEqual(peeking.peekDecoded('k', decode), { a: 1 });
    assert.deepEqual(await awaiting.getDecoded('k', decode), { a: 1 });
    assert.equal(peeking.peekDecoded('missing', decode), undefined);
    const counted = (cache: TieredCache) => {
      const { hits, misses, tiers } = cache.stats();
      return { hits, misses, memory: [tiers.memory?.hits, tiers.memory?.misses, tiers.memory?.latency.count], disk: [tiers.disk?.hits, tiers.disk?.misses] };
    };
    assert.deepEqual(counted(peeking), counted(awaiting));
    assert.deepEqual(counted(peeking), { hits: 1, misses: 0, memory: [1, 0, 2], disk: [0, 0] });
    // Only in memory: a key that lives on disk alone is left to getDecoded.
    assert.equal(diskOnly().peekDecoded('k', decode), undefined);
  });

  it('uses defaultTtlMs when set() gives no TTL, and a TTL of zero removes the key', async () => {
    const cache = open({ defaultTtlMs: 200 });
    await cache.set('default', 'v');
    await cache.set('zeroed', 'v', 60_000);
    await cache.set('zeroed', 'v', 0);
    assert.equal(await cache.get('zeroed'), undefined);
    await sleep(250);
    assert.equal(await cache.get('default'), undefined);
  });

  it('does not store or throw on a value JSON cannot represent, and logs it', async () => {
    const cache = open();
    await cache.set('bigint', { n: 1n });
    await cache.set('undefined', undefined);
    assert.equal(await cache.get('bigint'), undefined);
    assert.equal(await cache.get('undefined'), undefined);
    assert.equal(logs.filter((line) => line.includes('not representable as JSON')).length, 2);
  });

  it('returns a fresh copy on every read, so a caller mutating it cannot change the cache', async () => {
    const cache = open();
    await cache.set('k', { list: [1] }, 60_000);
    const first = (await cache.get('k')) as { list: number[] };
    first.list.push(2);
    assert.deepEqual(await cache.get('k'), { list: [1] });
  });

  it('refuses a memory size or Redis timeout that makes no sense, at creation', () => {
    assert.throws(() => createAnalysisCache({ memoryCacheSize: -1 }), RangeError);
    assert.throws(() => createAnalysisCache({ memoryCacheSize: Number.NaN }), RangeError);
    assert.throws(() => createAnalysisCache({ redisOperationTimeoutMs: 0 }), RangeError);
  });
});

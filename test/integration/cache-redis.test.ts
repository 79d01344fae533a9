import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@redis/client';
import { JSON_VALUES } from '../helpers/json-values';
import { createAnalysisCache, type AnalysisCacheOptions, type TieredCache } from '../../shared/adapters/cache';
import { startRedis, type RunningRedis } from '../helpers/redis';


async function untilRedisConnected(cache: TieredCache): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cache.stats().tiers.redis?.connected) {
    if (Date.now() > deadline) throw new Error('the Redis tier did not connect within 10 s');
    await sleep(10);
  }
}

describe('analysis cache: Redis tier', function () {
  this.timeout(30_000);
  let redis: RunningRedis;
  let raw: ReturnType<typeof createClient>;
  let prefix: string;
  const dirs: string[] = [];
  const caches: TieredCache[] = [];

  /** A cache with all three tiers, as one process would have it. Generous timeout: these tests are about behaviour, not latency. */
  const openProcess = async (options: AnalysisCacheOptions = {}) => {
    const diskDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-redis-'));
    dirs.push(diskDir);
    const cache = createAnalysisCache({ diskDir, redisUrl: redis.url, redisPrefix: prefix, redisOperationTimeoutMs: 1000, log: () => {}, ...options });
    caches.push(cache);
    await untilRedisConnected(cache);
    return cache;
  };
  /** What Redis alone holds: no memory or disk tier in front. */
  const openRedisOnly = () => openProcess({ memoryCacheSize: 0, diskDir: undefined });

  before(async () => {
    redis = await startRedis();
    raw = createClient({ url: redis.url });
    await raw.connect();
  });
  after(async () => {
    await raw.close();
    await redis.stop();
  });
  beforeEach(() => {
    prefix = `test-${Math.random().toString(36).slice(2)}:`;
  });
  afterEach(async () => {
    await Promise.all(caches.splice(0).map((cache) => cache.close()));
    dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
  });

  it('a Redis hit fills the disk and memory tiers with the time the entry has left', async () => {
    await (await openRedisOnly()).set('k', 'from redis', 1000);
    await sleep(500);
    const cache = await openProcess();
    assert.equal(await cache.get('k'), 'from redis');
    const { memory, disk, redis: redisTier } = cache.stats().tiers;
    assert.deepEqual([memory?.backfills, disk?.backfills, redisTier?.hits], [1, 1, 1]);
    assert.equal(await cache.get('k'), 'from redis');
    assert.equal(cache.stats().tiers.memory?.hits, 1);
    // 1.1 s after the set: every tier has let it go, though a fresh 1 s TTL from the back-fill would still run.
    await sleep(600);
    assert.equal(await cache.get('k'), undefined);
    assert.deepEqual(
      [cache.stats().tiers.memory?.misses, cache.stats().tiers.disk?.misses, cache.stats().tiers.redis?.misses],
      [2, 2, 1],
    );
  });

  it('a disk hit is not written back to Redis', async () => {
    const cache = await openProcess();
    await cache.set('k', 'v', 60_000);
    await raw.del(`${prefix}entry:k`);
    await cache.get('k');
    assert.equal(await (await openRedisOnly()).get('k'), undefined);
  });

  it('entries expire in Redis after their TTL, tag sets with them, leaving no keys behind', async () => {
    const cache = await openRedisOnly();
    await cache.set('short', 'lived', 200, { tags: ['doc:1'] });
    assert.equal(await cache.get('short'), 'lived');
    assert.equal((await raw.keys(`${prefix}*`)).length, 2);
    await sleep(250);
    assert.equal(await cache.get('short'), undefined);
    assert.deepEqual(await raw.keys(`${prefix}*`), []);
  });

  it('returns every stored JSON value from Redis, falsy and empty ones included, and undefined for a miss', async () => {
    const writer = await openProcess();
    for (const [key, value] of Object.entries(JSON_VALUES)) await writer.set(key, value, 60_000);
    const reader = await openRedisOnly();
    for (const [key, value] of Object.entries(JSON_VALUES)) assert.deepEqual(await reader.get(key), value, key);
    assert.equal(await reader.get('never-set'), undefined);
    assert.equal(reader.stats().tiers.redis?.hits, Object.keys(JSON_VALUES).length);
  });

  it('stores and returns a 1 MB value through Redis', async () => {
    const big = { text: 'x'.repeat(1024 * 1024) };
    await (await openRedisOnly()).set('big', big, 60_000);
    assert.deepEqual(await (await openRedisOnly()).get('big'), big);
  });

  it('two processes share entries through Redis', async () => {
    const first = await openProcess();
    const second = await openProcess();
    await first.set('analysis', { summary: 'shared' }, 60_000);
    assert.deepEqual(await second.get('analysis'), { summary: 'shared' });
    assert.equal(second.stats().tiers.redis?.hits, 1);
  });

  it('delete removes the entry from every tier, Redis included', async () => {
    const cache = await openProcess();
    await cache.set('k', 1, 60_000);
    await cache.delete('k');
    assert.equal(await cache.get('k'), undefined);
    assert.equal(await (await openRedisOnly()).get('k'), undefined);
    assert.equal(await raw.exists(`${prefix}entry:k`), 0);
  });

  it('invalidating a tag removes its entries from every tier, including those another process wrote to Redis', async () => {
    const cache = await openProcess();
    const otherProcess = await openRedisOnly();
    await cache.set('summary', 's', 60_000, { tags: ['doc:1'] });
    await otherProcess.set('sentiment', 'p', 60_000, { tags: ['doc:1'] });
    await cache.set('other', 'o', 60_000, { tags: ['doc:2'] });
    assert.equal(await cache.get('sentiment'), 'p');
    await cache.invalidateTag('doc:1');
    for (const key of ['summary', 'sentiment']) {
      assert.equal(await cache.get(key), undefined, key);
      assert.equal(await otherProcess.get(key), undefined, key);
    }
    assert.equal(await otherProcess.get('other'), 'o');
    assert.equal(await raw.exists(`${prefix}tag:doc:1`), 0);
  });

  it("another process's invalidation reaches this process's memory and disk copies (Redis pub/sub)", async () => {
    const writer = await openProcess();
    const reader = await openProcess();
    await writer.set('summary', 's', 60_000, { tags: ['doc:9'] });
    await writer.set('plain', 'p', 60_000);
    assert.equal(await reader.get('summary'), 's'); // now in the reader's memory and disk tiers too
    assert.equal(await reader.get('plain'), 'p');
    await writer.invalidateTag('doc:9');
    await writer.delete('plain');
    await sleep(200);
    assert.equal(await reader.get('summary'), undefined);
    assert.equal(await reader.get('plain'), undefined);
  });

  it('a tag set lives as long as its longest-lived entry', async () => {
    const cache = await openRedisOnly();
    await cache.set('long', 1, 60_000, { tags: ['doc:1'] });
    await cache.set('short', 2, 200, { tags: ['doc:1'] });
    await sleep(250);
    await cache.invalidateTag('doc:1');
    assert.equal(await cache.get('long'), undefined);
  });

  it('keeps caches with different prefixes apart', async () => {
    const first = await openRedisOnly();
    prefix = `${prefix}other:`;
    const second = await openRedisOnly();
    await first.set('k', 'first', 60_000);
    assert.equal(await second.get('k'), undefined);
  });

  it('counts Redis hits, misses and sets, and reports the connection', async () => {
    const cache = await openRedisOnly();
    await cache.set('k', 'v', 60_000);
    await cache.get('k');
    await cache.get('missing');
    const tier = cache.stats().tiers.redis;
    assert.deepEqual([tier?.hits, tier?.misses, tier?.sets, tier?.errors, tier?.connected], [1, 1, 1, 0, true]);
    assert.equal(tier?.latency.count, 3);
  });
});

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisGateStore } from '../../shared/adapters/gate-store';
import { admitRequest, recordRequestOutcome, type GatePolicy } from '../../shared/core/resilience/provider-gate';
import { startBlackHole, startRedis, type RunningRedis } from '../helpers/redis';

const policy: GatePolicy = { threshold: 1, recoveryTimeMs: 50, probeTimeoutMs: 10_000 };
const admit = (store: RedisGateStore, key: string) =>
  store.update(key, (state) => {
    const { next, decision } = admitRequest(state, Date.now(), policy);
    return { next, result: decision };
  });

describe('circuit-breaker state in Redis', function () {
  this.timeout(30_000);
  let redis: RunningRedis;
  before(async () => (redis = await startRedis()));
  after(async () => redis.stop());

  async function connectedStore(): Promise<RedisGateStore> {
    const store = new RedisGateStore({ url: redis.url, keyPrefix: 'unit:' });
    // The first update may race the connection; a read that answers from Redis means it is up.
    for (let i = 0; i < 50; i++) {
      await store.update('warmup', (state) => ({ next: state, result: undefined }));
      await sleep(20);
    }
    return store;
  }

  it('admits exactly one half-open probe among concurrent updates from two stores (two processes)', async () => {
    const [a, b] = await Promise.all([connectedStore(), connectedStore()]);
    try {
      const key = `probe-${Date.now()}`;
      await a.update(key, (state) => ({ next: recordRequestOutcome(state, Date.now(), 'ServerError', policy), result: undefined }));
      assert.equal((await b.read(key)).breaker.state, 'open');
      await sleep(60);
      const decisions = await Promise.all(Array.from({ length: 20 }, (_, i) => admit(i % 2 ? a : b, key)));
      assert.equal(decisions.filter((decision) => decision.admit).length, 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('answers from per-process state within its timeout when Redis is black-holed', async () => {
    const hole = await startBlackHole();
    const store = new RedisGateStore({ url: hole.url, keyPrefix: 'unit:', operationTimeoutMs: 100 });
    try {
      const started = Date.now();
      const decision = await admit(store, 'any');
      assert.equal(decision.admit, true);
      assert.ok(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
    } finally {
      await store.close();
      await hole.close();
    }
  });
});

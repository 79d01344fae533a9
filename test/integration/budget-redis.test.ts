import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisBudgetStore } from '../../shared/adapters/budget-store';
import { callLedgers } from '../../shared/core/spend/budget';
import { startRedis, type RunningRedis } from '../helpers/redis';

describe('budget ledgers in Redis (real redis-server, two clients as two processes would)', function () {
  this.timeout(30_000);
  let redis: RunningRedis;
  let first: RedisBudgetStore;
  let second: RedisBudgetStore;
  before(async () => {
    redis = await startRedis();
    first = new RedisBudgetStore(redis.url, 'test-budget:');
    second = new RedisBudgetStore(redis.url, 'test-budget:');
  });
  after(async () => {
    await first.close();
    await second.close();
    await redis.stop();
  });

  it('admits exactly what fits under 200 concurrent reservations from two clients, across the key and global ledgers', async () => {
    const ledgers = callLedgers({ scope: 'key:one', limits: [{ window: 'day', unit: 'tokens', amount: 1_000 }] }, [{ window: 'month', unit: 'nanoUsd', amount: 10_000 }], Date.now());
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? first : second).reserve({ id: `c${i}`, ledgers, amount: { tokens: 30, nanoUsd: 400 }, ttlMs: 60_000 })),
    );
    // 1000 / 30 → 33 by tokens; 10000 / 400 → 25 by money: the global money limit is the tighter one.
    assert.equal(outcomes.filter((outcome) => outcome.ok).length, 25);
    const refusal = outcomes.find((outcome) => !outcome.ok);
    assert.ok(refusal && !refusal.ok && refusal.ledger.scope === 'global');
    const reports = await first.read(ledgers.map((ledger) => ledger.key));
    for (const report of reports) assert.deepEqual(report.reserved, { tokens: 750, nanoUsd: 10_000 });

    // Settling releases the worst case and records the real cost, which frees room for more.
    await Promise.all(outcomes.map((outcome, i) => (outcome.ok ? second.settle(`c${i}`, ledgers, { tokens: 10, nanoUsd: 100 }) : undefined)));
    const [day] = await second.read([ledgers[0]!.key]);
    assert.deepEqual(day, { key: ledgers[0]!.key, spent: { tokens: 250, nanoUsd: 2_500 }, reserved: { tokens: 0, nanoUsd: 0 }, reservations: 0 });
    assert.equal((await first.reserve({ id: 'more', ledgers, amount: { tokens: 30, nanoUsd: 7_500 }, ttlMs: 60_000 })).ok, true);
    assert.equal((await first.reserve({ id: 'too-much', ledgers, amount: { tokens: 1, nanoUsd: 1 }, ttlMs: 60_000 })).ok, false);
  });

  it("a dead worker's reservation lapses after its TTL", async () => {
    const ledgers = callLedgers({ scope: 'key:two', limits: [{ window: 'day', unit: 'tokens', amount: 100 }] }, [], Date.now());
    assert.equal((await first.reserve({ id: 'dies', ledgers, amount: { tokens: 100, nanoUsd: 0 }, ttlMs: 300 })).ok, true);
    assert.equal((await second.reserve({ id: 'waits', ledgers, amount: { tokens: 1, nanoUsd: 0 }, ttlMs: 60_000 })).ok, false);
    await sleep(400);
    assert.equal((await second.reserve({ id: 'waits', ledgers, amount: { tokens: 100, nanoUsd: 0 }, ttlMs: 60_000 })).ok, true);
  });

  it("settles a provider batch's reservations at once; a retried settlement from another process records nothing twice", async () => {
    const ledgers = callLedgers({ scope: 'key:three', limits: [{ window: 'day', unit: 'nanoUsd', amount: 1_000 }] }, [], Date.now());
    for (const item of ['item-0', 'item-1', 'item-2']) assert.equal((await first.reserve({ id: `b1/${item}`, ledgers, amount: { tokens: 50, nanoUsd: 300 }, ttlMs: 60_000 })).ok, true);
    assert.equal((await second.reserve({ id: 'sync', ledgers, amount: { tokens: 1, nanoUsd: 101 }, ttlMs: 60_000 })).ok, false, 'the batch holds 900 of 1000');
    const settlements = [
      { id: 'b1/item-0', actual: { tokens: 20, nanoUsd: 70 } },
      { id: 'b1/item-1', actual: { tokens: 0, nanoUsd: 0 } },
      { id: 'b1/item-2', actual: { tokens: 50, nanoUsd: 300 } },
    ];
    await Promise.all([first.settleOnce('b1', ledgers, settlements), second.settleOnce('b1', ledgers, settlements)]);
    await first.settleOnce('b1', ledgers, settlements);
    for (const report of await second.read(ledgers.filter((ledger) => ledger.scope === 'key:three').map((ledger) => ledger.key))) {
      assert.deepEqual([report.spent, report.reserved, report.reservations], [{ tokens: 70, nanoUsd: 370 }, { tokens: 0, nanoUsd: 0 }, 0], report.key);
    }
    assert.equal((await second.reserve({ id: 'sync', ledgers, amount: { tokens: 1, nanoUsd: 630 }, ttlMs: 60_000 })).ok, true);
  });

  it('lists every scope of the current windows (what an admin sees)', async () => {
    const reports = await first.listWindows([callLedgers(undefined, [], Date.now())[0]!.key.split('|')[1]!]);
    assert.deepEqual(new Set(reports.map((report) => report.key.split('|')[0])), new Set(['key:one', 'key:two', 'key:three', 'global']));
  });
});

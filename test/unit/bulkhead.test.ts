import assert from 'node:assert/strict';
import { Bulkhead, leavesTimeForCall } from '../../activities/providers/bulkhead';

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(() => (done = true), () => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('provider bulkhead (per-process concurrent calls)', () => {
  it('admits up to its capacity at once, then serves waiters in arrival order as slots free', async () => {
    const bulkhead = new Bulkhead(2);
    const never = new AbortController().signal;
    const first = await bulkhead.acquire(never);
    const second = await bulkhead.acquire(never);
    const order: string[] = [];
    const third = bulkhead.acquire(never).then((release) => (order.push('third'), release));
    const fourth = bulkhead.acquire(never).then((release) => (order.push('fourth'), release));
    assert.equal(await settled(third), false);
    first();
    first();
    (await third)();
    second();
    await fourth;
    assert.deepEqual(order, ['third', 'fourth']);
    assert.equal(bulkhead.active, 1, 'a release counts once, however often it is called');
  });

  it('a waiter whose signal aborts leaves the line without taking a slot', async () => {
    const bulkhead = new Bulkhead(1);
    const held = await bulkhead.acquire(new AbortController().signal);
    const cancel = new AbortController();
    const cancelled = bulkhead.acquire(cancel.signal);
    const next = bulkhead.acquire(new AbortController().signal);
    cancel.abort(new Error('job cancelled'));
    await assert.rejects(cancelled, /job cancelled/);
    held();
    const release = await next;
    assert.equal(bulkhead.active, 1);
    release();
    assert.equal(bulkhead.active, 0);
    await assert.rejects(bulkhead.acquire(cancel.signal), /job cancelled/, 'an aborted signal is refused at once');
  });

  it('sends a call only with time left for it: half the provider timeout, at most a second', () => {
    assert.equal(leavesTimeForCall(1_000, 30_000), true);
    assert.equal(leavesTimeForCall(999, 30_000), false);
    assert.equal(leavesTimeForCall(1_000, 2_000), true);
    assert.equal(leavesTimeForCall(600, 2_000), false, 'a 2 s timeout needs 1 s');
    assert.equal(leavesTimeForCall(500, 1_000), true);
    assert.equal(leavesTimeForCall(20, 1_000), false);
  });
});

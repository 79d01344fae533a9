import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { timeoutSignal, untilAborted } from '../../shared/adapters/with-timeout';

/** A full garbage collection, without starting node with --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('timeoutSignal', () => {
  it('aborts with a TimeoutError after its time', async () => {
    const signal = timeoutSignal(20);
    assert.equal(signal.aborted, false);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    assert.equal((signal.reason as DOMException).name, 'TimeoutError');
  });

  // Reached only through AbortSignal.any, as the API's job reads use it: a collection in between must not lose it.
  it('still aborts a composite signal after a garbage collection', async () => {
    const composite = AbortSignal.any([timeoutSignal(100)]);
    const aborted = new Promise<boolean>((resolve) => {
      composite.addEventListener('abort', () => resolve(true), { once: true });
      setTimeout(() => resolve(false), 2_000).unref();
    });
    // Later, from another task: the frame that made the signals is gone by then.
    setTimeout(collectGarbage, 10);
    assert.equal(await aborted, true, 'aborted within 2 s');
  });
});

describe('untilAborted', () => {
  it('settles like the promise while the signal stays quiet', async () => {
    assert.equal(await untilAborted(new AbortController().signal, Promise.resolve('answer')), 'answer');
    await assert.rejects(untilAborted(new AbortController().signal, Promise.reject(new Error('refused'))), /refused/);
  });

  it('rejects with the reason once the signal aborts, and ignores how the call ends later', async () => {
    const controller = new AbortController();
    let failLater = (_error: Error): void => undefined;
    const neverAnswered = new Promise<string>((_, reject) => (failLater = reject));
    const outcome = untilAborted(controller.signal, neverAnswered);
    controller.abort(new Error('stopping'));
    await assert.rejects(outcome, /stopping/);
    failLater(new Error('late failure, handled'));
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('rejects at once for a signal already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already stopped'));
    await assert.rejects(untilAborted(controller.signal, new Promise<never>(() => undefined)), /already stopped/);
  });
});

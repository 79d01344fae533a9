import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { timeoutSignal } from '../../shared/adapters/with-timeout';

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

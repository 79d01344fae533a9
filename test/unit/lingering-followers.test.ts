import assert from 'node:assert/strict';
import { LingeringFollowers } from '../../api/lingering-followers';

describe('lingering job followers', () => {
  let now = 0;
  const followers = (maxEntries = 10) => new LingeringFollowers<string>({ lingerMs: 1_000, maxEntries, now: () => now });
  beforeEach(() => (now = 0));

  it('hands a kept follower to the next read that stands at its version, once', () => {
    const kept = followers();
    kept.keep('job-1', 'v1', 'follower-1');
    assert.equal(kept.take('job-1', 'v1'), 'follower-1');
    assert.equal(kept.take('job-1', 'v1'), undefined, 'in use by the read that took it');
  });

  it('never hands a follower to a read at another version (the client saw more, or less, elsewhere)', () => {
    const kept = followers();
    kept.keep('job-1', 'v1', 'follower-1');
    assert.equal(kept.take('job-1', 'v2'), undefined);
    assert.equal(kept.size, 0, 'a follower out of step with its client is dropped');
  });

  it('forgets a follower after the linger time', () => {
    const kept = followers();
    kept.keep('job-1', 'v1', 'follower-1');
    now = 1_001;
    assert.equal(kept.take('job-1', 'v1'), undefined);
  });

  it('drops expired followers and then the oldest beyond the cap when keeping another', () => {
    const kept = followers(2);
    kept.keep('job-1', 'v1', 'a');
    now = 600;
    kept.keep('job-2', 'v1', 'b');
    now = 1_200;
    kept.keep('job-3', 'v1', 'c');
    assert.equal(kept.size, 2, 'job-1 expired');
    kept.keep('job-4', 'v1', 'd');
    assert.equal(kept.size, 2);
    assert.equal(kept.take('job-2', 'v1'), undefined, 'the oldest made room');
    assert.equal(kept.take('job-4', 'v1'), 'd');
  });

  it('keeping a job again replaces its follower and its age', () => {
    const kept = followers(2);
    kept.keep('job-1', 'v1', 'a');
    kept.keep('job-2', 'v1', 'b');
    kept.keep('job-1', 'v2', 'a2');
    kept.keep('job-3', 'v1', 'c');
    assert.equal(kept.take('job-1', 'v2'), 'a2');
    assert.equal(kept.take('job-2', 'v1'), undefined);
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Keyv } from 'keyv';
import { SqliteStore } from '../../shared/adapters/cache/sqlite-store';

describe('SQLite cache store', () => {
  let dir: string;
  const stores: SqliteStore[] = [];
  const open = () => {
    const store = new SqliteStore(path.join(dir, 'cache.db'));
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-sqlite-'));
  });
  afterEach(() => {
    stores.splice(0).forEach((store) => store.close());
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('works as a keyv v5 store: values of any type round-trip and TTLs expire', async () => {
    const keyv = new Keyv({ store: open(), namespace: 'analyses' });
    await keyv.set('falsy', { zero: 0, no: false, empty: '', nothing: null });
    await keyv.set('short', 'lived', 100);
    assert.deepEqual(await keyv.get('falsy'), { zero: 0, no: false, empty: '', nothing: null });
    assert.equal(await keyv.get('short'), 'lived');
    await sleep(150);
    assert.equal(await keyv.get('short'), undefined);
    assert.equal(await keyv.delete('falsy'), true);
    assert.equal(await keyv.get('falsy'), undefined);
  });

  it('keyv clear() only clears its own namespace', async () => {
    const store = open();
    const mine = new Keyv({ store, namespace: 'mine' });
    await store.set('theirs:kept', '"value"');
    await mine.set('dropped', 1);
    await mine.clear();
    assert.equal(await mine.get('dropped'), undefined);
    assert.equal(await store.get('theirs:kept'), '"value"');
  });

  it('uses WAL and keeps entries across close and reopen', async () => {
    const first = open();
    first.writeEntry('k', { json: '[1,2]', expiresAt: Date.now() + 60_000, tags: ['doc:1'] });
    first.close();
    const reopened = open();
    assert.deepEqual(reopened.readEntry('k', Date.now())?.tags, ['doc:1']);
    assert.ok(fs.existsSync(path.join(dir, 'cache.db-wal')));
  });

  it('deleting a tag deletes every entry carrying it and nothing else', () => {
    const store = open();
    const now = Date.now();
    store.writeEntry('a', { json: '1', tags: ['doc:1'] });
    store.writeEntry('b', { json: '2', tags: ['doc:1', 'doc:2'] });
    store.writeEntry('c', { json: '3', tags: ['doc:2'] });
    assert.equal(store.deleteTag('doc:1'), 2);
    assert.equal(store.readEntry('a', now), undefined);
    assert.equal(store.readEntry('b', now), undefined);
    assert.equal(store.readEntry('c', now)?.json, '3');
  });

  it('rewriting an entry replaces its tags', () => {
    const store = open();
    store.writeEntry('a', { json: '1', tags: ['doc:1'] });
    store.writeEntry('a', { json: '2', tags: ['doc:2'] });
    store.deleteTag('doc:1');
    assert.deepEqual(store.readEntry('a', Date.now()), { json: '2', expiresAt: undefined, tags: ['doc:2'] });
  });

  it('an expired entry reads as absent and purgeExpired removes the unread ones', () => {
    const store = open();
    const now = Date.now();
    store.writeEntry('old', { json: '1', expiresAt: now - 1, tags: ['doc:1'] });
    store.writeEntry('older', { json: '1', expiresAt: now - 2, tags: [] });
    store.writeEntry('live', { json: '1', expiresAt: now + 60_000, tags: [] });
    assert.equal(store.readEntry('old', now), undefined);
    assert.equal(store.purgeExpired(now), 1);
    assert.ok(store.readEntry('live', now));
  });
});

/** One contract, two adapters: every test body below runs against SQLite and against a real Postgres. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { DOCUMENT_ID_PATTERN, sha256Hex, type DocumentStore } from '../../shared/adapters/documents/document-store';
import { openDocumentStore } from '../../shared/adapters/documents/open-document-store';
import { getTestPostgres } from '../helpers/postgres';

interface AdapterFixture {
  name: string;
  /** A fresh, empty location (directory or database); `open` opens a store on it, any number of times. */
  prepare(): Promise<{ open(): Promise<DocumentStore>; appliedVersions(): Promise<number[]>; cleanup(): Promise<void> }>;
}

const adapters: AdapterFixture[] = [
  {
    name: 'SQLite',
    prepare: async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'documents-contract-'));
      return {
        open: () => openDocumentStore({ dataDir, documents: { poolSize: 1 } }),
        appliedVersions: async () => {
          const db = new Database(path.join(dataDir, 'documents.db'), { readonly: true });
          try {
            return db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];
          } finally {
            db.close();
          }
        },
        cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'Postgres',
    prepare: async () => {
      const databaseUrl = await (await getTestPostgres()).createDatabase();
      return {
        open: () => openDocumentStore({ dataDir: '/nonexistent', documents: { databaseUrl, poolSize: 4 } }),
        appliedVersions: async () => {
          const client = new Client({ connectionString: databaseUrl });
          await client.connect();
          try {
            return (await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((row) => row.version);
          } finally {
            await client.end();
          }
        },
        cleanup: async () => {},
      };
    },
  },
];

for (const adapter of adapters) {
  describe(`document store contract: ${adapter.name}`, function () {
    this.timeout(60_000);
    let location: Awaited<ReturnType<AdapterFixture['prepare']>>;
    let store: DocumentStore;

    beforeEach(async () => {
      location = await adapter.prepare();
      store = await location.open();
    });
    afterEach(async () => {
      await store.close();
      await location.cleanup();
    });

    it('creates a document with a new id, the content hash and byte size, and reads it back identically', async () => {
      const content = 'Zoë met Łukasz in Kraków. 東京 too.';
      const created = await store.create({ content, title: 'Trip', metadata: { source: 'upload', tags: ['a', 'b'], nested: { depth: 2, ok: true } } });
      assert.match(created.id, DOCUMENT_ID_PATTERN);
      assert.equal(created.contentSha256, sha256Hex(content));
      assert.equal(created.sizeBytes, Buffer.byteLength(content, 'utf8'));
      assert.equal(created.createdAt, created.updatedAt);
      assert.deepEqual(await store.get(created.id), created);
    });

    it('gives a document without title or metadata a null title and empty metadata', async () => {
      const created = await store.create({ content: 'plain' });
      assert.equal(created.title, null);
      assert.deepEqual((await store.get(created.id))?.metadata, {});
    });

    it('answers undefined for an unknown id', async () => {
      assert.equal(await store.get('doc_00000000000000000000000000000000'), undefined);
    });

    it('updates the content and keeps title, metadata and creation time unless given', async () => {
      const created = await store.create({ content: 'first', title: 'Kept', metadata: { kept: 1 } });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const updated = await store.update(created.id, { content: 'second text' });
      assert.ok(updated);
      assert.equal(updated.content, 'second text');
      assert.equal(updated.contentSha256, sha256Hex('second text'));
      assert.equal(updated.sizeBytes, 11);
      assert.equal(updated.title, 'Kept');
      assert.deepEqual(updated.metadata, { kept: 1 });
      assert.equal(updated.createdAt, created.createdAt);
      assert.ok(updated.updatedAt > created.updatedAt, `${updated.updatedAt} should be after ${created.updatedAt}`);
      assert.deepEqual(await store.get(created.id), updated);
    });

    it('replaces title and metadata when an update gives them', async () => {
      const created = await store.create({ content: 'first', title: 'Old', metadata: { old: true } });
      const updated = await store.update(created.id, { content: 'first', title: 'New', metadata: { fresh: [1, 2] } });
      assert.equal(updated?.title, 'New');
      assert.deepEqual(updated?.metadata, { fresh: [1, 2] });
    });

    it('answers undefined when updating an unknown id and creates nothing', async () => {
      const id = 'doc_11111111111111111111111111111111';
      assert.equal(await store.update(id, { content: 'x' }), undefined);
      assert.equal(await store.get(id), undefined);
    });

    it('deletes once: true, then the document is gone and a second delete is false', async () => {
      const created = await store.create({ content: 'to delete' });
      assert.equal(await store.delete(created.id), true);
      assert.equal(await store.get(created.id), undefined);
      assert.equal(await store.delete(created.id), false);
    });

    it('round-trips a 1 MB document exactly', async () => {
      const content = 'Acme Corp opened an office in Berlin. '.repeat(28_000).slice(0, 1024 * 1024);
      const created = await store.create({ content });
      const read = await store.get(created.id);
      assert.equal(read?.content, content);
      assert.equal(read?.contentSha256, sha256Hex(content));
    });

    it('keeps documents across a close and reopen', async () => {
      const created = await store.create({ content: 'durable' });
      await store.close();
      store = await location.open();
      assert.deepEqual(await store.get(created.id), created);
    });

    it('runs its migrations once when several processes open a new store at the same time', async () => {
      const fresh = await adapter.prepare();
      const stores = await Promise.all(Array.from({ length: 5 }, () => fresh.open()));
      try {
        const created = await stores[0]!.create({ content: 'seen by all' });
        for (const other of stores) assert.equal((await other.get(created.id))?.content, 'seen by all');
        assert.deepEqual(await fresh.appliedVersions(), [1]);
      } finally {
        await Promise.all(stores.map((other) => other.close()));
        await fresh.cleanup();
      }
    });

    it('answers ping while open and rejects it once closed', async () => {
      await store.ping();
      await store.close();
      await assert.rejects(store.ping());
    });
  });
}

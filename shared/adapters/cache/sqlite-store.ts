/**
 * A keyv-v5 store (get/set/delete/clear with TTL in ms) over better-sqlite3 in WAL mode, plus the
 * entry-level reads and writes the disk tier needs: the expiry of an entry and its tags. @keyv/sqlite
 * is not used because it needs the native `sqlite3` package, which cannot be built here.
 */
import { EventEmitter } from 'node:events';
import Database from 'better-sqlite3';
import { isExpired, type StoredEntry } from './entry';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS cache_entries (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS cache_entries_by_expiry ON cache_entries (expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE IF NOT EXISTS cache_tags (
    tag TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (tag, key)
  );
  CREATE INDEX IF NOT EXISTS cache_tags_by_key ON cache_tags (key);
`;

// better-sqlite3 waits for a lock synchronously, blocking the event loop; a cache must not wait long.
const BUSY_TIMEOUT_MS = 100;

interface EntryRow {
  value: string;
  expires_at: number | null;
}

function prepareStatements(db: Database.Database) {
  return {
    read: db.prepare<[string], EntryRow>('SELECT value, expires_at FROM cache_entries WHERE key = ?'),
    readTags: db.prepare<[string], { tag: string }>('SELECT tag FROM cache_tags WHERE key = ?'),
    upsert: db.prepare(
      'INSERT INTO cache_entries (key, value, expires_at) VALUES (?, ?, ?) ' +
        'ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
    ),
    insertTag: db.prepare('INSERT OR IGNORE INTO cache_tags (tag, key) VALUES (?, ?)'),
    deleteEntry: db.prepare('DELETE FROM cache_entries WHERE key = ?'),
    deleteTagsOfKey: db.prepare('DELETE FROM cache_tags WHERE key = ?'),
    keysWithTag: db.prepare<[string], { key: string }>('SELECT key FROM cache_tags WHERE tag = ?'),
    expiredKeys: db.prepare<[number], { key: string }>(
      'SELECT key FROM cache_entries WHERE expires_at IS NOT NULL AND expires_at <= ?',
    ),
  };
}

export class SqliteStore extends EventEmitter {
  /** keyv reads `opts` and sets `namespace` on its store; `clear()` only clears that namespace. */
  readonly opts: { filePath: string };
  namespace?: string;
  private readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepareStatements>;

  constructor(filePath: string) {
    super();
    this.opts = { filePath };
    this.db = new Database(filePath, { timeout: BUSY_TIMEOUT_MS });
    this.db.pragma('journal_mode = WAL');
    // Losing the last writes on a power cut is acceptable for a cache; an fsync per write is not.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.statements = prepareStatements(this.db);
  }

  readEntry(key: string, now: number): StoredEntry | undefined {
    const row = this.statements.read.get(key);
    if (row === undefined) return undefined;
    const expiresAt = row.expires_at ?? undefined;
    if (isExpired({ expiresAt }, now)) {
      this.deleteKeys([key]);
      return undefined;
    }
    return { json: row.value, expiresAt, tags: this.statements.readTags.all(key).map((tagRow) => tagRow.tag) };
  }

  /** Replaces the entry and its tags in one transaction. */
  writeEntry(key: string, entry: StoredEntry): void {
    this.db.transaction(() => {
      this.statements.upsert.run(key, entry.json, entry.expiresAt ?? null);
      this.statements.deleteTagsOfKey.run(key);
      for (const tag of entry.tags) this.statements.insertTag.run(tag, key);
    })();
  }

  /** Deletes every entry carrying `tag`; returns how many keys it named. */
  deleteTag(tag: string): number {
    const keys = this.statements.keysWithTag.all(tag).map((row) => row.key);
    this.deleteKeys(keys);
    return keys.length;
  }

  purgeExpired(now: number): number {
    const keys = this.statements.expiredKeys.all(now).map((row) => row.key);
    this.deleteKeys(keys);
    return keys.length;
  }

  private deleteKeys(keys: readonly string[]): void {
    this.db.transaction(() => {
      for (const key of keys) {
        this.statements.deleteEntry.run(key);
        this.statements.deleteTagsOfKey.run(key);
      }
    })();
  }

  // keyv store adapter (TTL in ms). keyv hands over strings it has already serialized.

  async get(key: string): Promise<string | undefined> {
    return this.readEntry(key, Date.now())?.json;
  }

  async set(key: string, value: string, ttl?: number): Promise<boolean> {
    this.writeEntry(key, { json: value, expiresAt: ttl ? Date.now() + ttl : undefined, tags: [] });
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.statements.read.get(key) !== undefined;
    this.deleteKeys([key]);
    return existed;
  }

  async has(key: string): Promise<boolean> {
    return this.readEntry(key, Date.now()) !== undefined;
  }

  async clear(): Promise<void> {
    if (this.namespace === undefined) {
      this.db.exec('DELETE FROM cache_entries; DELETE FROM cache_tags;');
      return;
    }
    const prefix = `${this.namespace}:`;
    const keys = this.db
      .prepare<[string, string], { key: string }>('SELECT key FROM cache_entries WHERE substr(key, 1, length(?)) = ?')
      .all(prefix, prefix)
      .map((row) => row.key);
    this.deleteKeys(keys);
  }

  async disconnect(): Promise<void> {
    this.close();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

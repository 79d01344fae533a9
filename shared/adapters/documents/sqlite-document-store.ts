/** Documents in a SQLite file under DATA_DIR: the default, for one host (the API and workers share the file). */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { contentFields, newDocumentRecord, type DocumentStore, type NewDocument, type StoredDocument } from './document-store';
import { DOCUMENT_COLUMNS, documentRowValues, toDocument, type DocumentRow } from './document-row';
import { MIGRATIONS_TABLE, pendingMigrations, type Migration } from './migrations';

// IF NOT EXISTS: files created before migrations existed already have the table.
const SQLITE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'create documents',
    sql: `CREATE TABLE IF NOT EXISTS documents (
      id TEXT PRIMARY KEY,
      title TEXT,
      metadata TEXT NOT NULL,
      content TEXT NOT NULL,
      content_sha256 TEXT NOT NULL,
      size_bytes INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
  },
];



export class SqliteDocumentStore implements DocumentStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    // WAL lets the API write while workers in other processes read the same file.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
  }

  static inDataDir(dataDir: string): SqliteDocumentStore {
    return new SqliteDocumentStore(path.join(dataDir, 'documents.db'));
  }

  /** BEGIN IMMEDIATE takes the file's write lock first, so two processes never apply the same version. */
  /** Each statement is prepared once: under load, preparing cost more than the insert it prepared. */
  private prepared(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  async migrate(): Promise<void> {
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    this.db
      .transaction(() => {
        const applied = this.db.prepare(`SELECT version FROM ${MIGRATIONS_TABLE}`).pluck().all() as number[];
        for (const migration of pendingMigrations(SQLITE_MIGRATIONS, applied)) {
          this.db.exec(migration.sql);
          this.db
            .prepare(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES (?, ?, ?)`)
            .run(migration.version, migration.name, new Date().toISOString());
        }
      })
      .immediate();
  }

  async create(input: NewDocument): Promise<StoredDocument> {
    const document = newDocumentRecord(input);
    const placeholders = DOCUMENT_COLUMNS.map(() => '?').join(', ');
    this.prepared(`INSERT INTO documents (${DOCUMENT_COLUMNS.join(', ')}) VALUES (${placeholders})`).run(...documentRowValues(document));
    return document;
  }

  async get(id: string): Promise<StoredDocument | undefined> {
    const row = this.prepared('SELECT * FROM documents WHERE id = ?').get(id) as DocumentRow | undefined;
    return row && toDocument(row);
  }

  async update(id: string, input: NewDocument): Promise<StoredDocument | undefined> {
    const fields = contentFields(input.content);
    const update = this.prepared(
      `UPDATE documents SET
         title = CASE WHEN @titleGiven THEN @title ELSE title END,
         metadata = COALESCE(@metadata, metadata),
         content = @content, content_sha256 = @contentSha256, size_bytes = @sizeBytes, updated_at = @updatedAt
       WHERE id = @id RETURNING *`,
    );
    const row = update.get({
      id,
      titleGiven: input.title !== undefined ? 1 : 0,
      title: input.title ?? null,
      metadata: input.metadata !== undefined ? JSON.stringify(input.metadata) : null,
      ...fields,
      updatedAt: new Date().toISOString(),
    }) as DocumentRow | undefined;
    return row && toDocument(row);
  }

  async delete(id: string): Promise<boolean> {
    return this.prepared('DELETE FROM documents WHERE id = ?').run(id).changes > 0;
  }

  async ping(): Promise<void> {
    this.prepared('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

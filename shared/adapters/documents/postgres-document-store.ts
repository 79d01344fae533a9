/** Documents in Postgres (DATABASE_URL): one store for the API and every worker, on any host. */
import { Pool, type PoolClient } from 'pg';
import { contentFields, newDocumentRecord, type DocumentStore, type NewDocument, type StoredDocument } from './document-store';
import { DOCUMENT_COLUMNS, documentRowValues, toDocument, type DocumentRow } from './document-row';
import { MIGRATIONS_TABLE, pendingMigrations, type Migration } from './migrations';

const POSTGRES_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'create documents',
    sql: `CREATE TABLE documents (
      id TEXT PRIMARY KEY,
      title TEXT,
      metadata JSONB NOT NULL,
      content TEXT NOT NULL,
      content_sha256 TEXT NOT NULL,
      size_bytes INTEGER NOT NULL,
      created_at TIMESTAMPTZ NOT NULL,
      updated_at TIMESTAMPTZ NOT NULL
    )`,
  },
];

/** pg_advisory_xact_lock key serializing schema changes of this service across processes and hosts. */
const MIGRATION_LOCK_KEY = 820_417_361;



export interface PostgresDocumentStoreOptions {
  url: string;
  poolSize: number;
  /** Errors of idle pooled connections (server restarts); the pool replaces the connection. */
  log?: (message: string) => void;
}

export class PostgresDocumentStore implements DocumentStore {
  readonly kind = 'postgres';
  private readonly pool: Pool;

  constructor({ url, poolSize, log = console.warn }: PostgresDocumentStoreOptions) {
    this.pool = new Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000 });
    this.pool.on('error', (error) => log(`documents: idle Postgres connection failed: ${error.message}`));
  }

  /** Every process runs this at start; the advisory lock makes the others wait, then find nothing to do. */
  async migrate(): Promise<void> {
    await this.inTransaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
      );
      const applied = await client.query<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE}`);
      for (const migration of pendingMigrations(POSTGRES_MIGRATIONS, applied.rows.map((row) => row.version))) {
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      }
    });
  }

  async create(input: NewDocument): Promise<StoredDocument> {
    const document = newDocumentRecord(input);
    const placeholders = DOCUMENT_COLUMNS.map((_, index) => `$${index + 1}`).join(', ');
    await this.pool.query(`INSERT INTO documents (${DOCUMENT_COLUMNS.join(', ')}) VALUES (${placeholders})`, documentRowValues(document));
    return document;
  }

  async get(id: string): Promise<StoredDocument | undefined> {
    const result = await this.pool.query<DocumentRow>('SELECT * FROM documents WHERE id = $1', [id]);
    return result.rows[0] && toDocument(result.rows[0]);
  }

  async update(id: string, input: NewDocument): Promise<StoredDocument | undefined> {
    const fields = contentFields(input.content);
    const result = await this.pool.query<DocumentRow>(
      `UPDATE documents SET
         title = CASE WHEN $2::boolean THEN $3 ELSE title END,
         metadata = COALESCE($4::jsonb, metadata),
         content = $5, content_sha256 = $6, size_bytes = $7, updated_at = $8
       WHERE id = $1 RETURNING *`,
      [
        id,
        input.title !== undefined,
        input.title ?? null,
        input.metadata !== undefined ? JSON.stringify(input.metadata) : null,
        fields.content,
        fields.contentSha256,
        fields.sizeBytes,
        new Date().toISOString(),
      ],
    );
    return result.rows[0] && toDocument(result.rows[0]);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM documents WHERE id = $1', [id]);
    return (result.rowCount ?? 0) > 0;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  private async inTransaction(work: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}

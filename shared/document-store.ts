/** Documents in a SQLite file under DATA_DIR, shared by the API and the workers. */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type DocumentMetadata = Record<string, unknown>;

export interface DocumentSummary {
  id: string;
  title: string | null;
  metadata: DocumentMetadata;
  contentSha256: string;
  sizeBytes: number;
  createdAt: string;
  updatedAt: string;
}

export interface StoredDocument extends DocumentSummary {
  content: string;
}

export interface NewDocument {
  content: string;
  title?: string;
  metadata?: DocumentMetadata;
}

interface DocumentRow {
  id: string;
  title: string | null;
  metadata: string;
  content: string;
  content_sha256: string;
  size_bytes: number;
  created_at: string;
  updated_at: string;
}

export const DOCUMENT_ID_PATTERN = /^doc_[0-9a-f]{32}$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function toDocument(row: DocumentRow): StoredDocument {
  return {
    id: row.id,
    title: row.title,
    metadata: JSON.parse(row.metadata) as DocumentMetadata,
    content: row.content,
    contentSha256: row.content_sha256,
    sizeBytes: row.size_bytes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class DocumentStore {
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    // WAL lets the API write while workers in other processes read the same file.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS documents (
      id TEXT PRIMARY KEY,
      title TEXT,
      metadata TEXT NOT NULL,
      content TEXT NOT NULL,
      content_sha256 TEXT NOT NULL,
      size_bytes INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`);
  }

  static inDataDir(dataDir: string): DocumentStore {
    return new DocumentStore(path.join(dataDir, 'documents.db'));
  }

  create(input: NewDocument): StoredDocument {
    const now = new Date().toISOString();
    const row: DocumentRow = {
      id: `doc_${randomUUID().replace(/-/g, '')}`,
      title: input.title ?? null,
      metadata: JSON.stringify(input.metadata ?? {}),
      content: input.content,
      content_sha256: sha256Hex(input.content),
      size_bytes: Buffer.byteLength(input.content, 'utf8'),
      created_at: now,
      updated_at: now,
    };
    this.db
      .prepare(
        `INSERT INTO documents (id, title, metadata, content, content_sha256, size_bytes, created_at, updated_at)
         VALUES (@id, @title, @metadata, @content, @content_sha256, @size_bytes, @created_at, @updated_at)`,
      )
      .run(row);
    return toDocument(row);
  }

  get(id: string): StoredDocument | undefined {
    const row = this.db.prepare('SELECT * FROM documents WHERE id = ?').get(id) as DocumentRow | undefined;
    return row && toDocument(row);
  }

  /** Replaces the content (and title/metadata when given); undefined when no such document exists. */
  update(id: string, input: NewDocument): StoredDocument | undefined {
    const current = this.get(id);
    if (!current) return undefined;
    const row: DocumentRow = {
      id,
      title: input.title !== undefined ? input.title : (current.title ?? null),
      metadata: JSON.stringify(input.metadata ?? current.metadata),
      content: input.content,
      content_sha256: sha256Hex(input.content),
      size_bytes: Buffer.byteLength(input.content, 'utf8'),
      created_at: current.createdAt,
      updated_at: new Date().toISOString(),
    };
    this.db
      .prepare(
        `UPDATE documents SET title = @title, metadata = @metadata, content = @content, content_sha256 = @content_sha256,
         size_bytes = @size_bytes, updated_at = @updated_at WHERE id = @id`,
      )
      .run(row);
    return toDocument(row);
  }

  /** true when a document was deleted. */
  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM documents WHERE id = ?').run(id).changes > 0;
  }

  /** A cheap liveness probe for health checks. */
  ping(): void {
    this.db.prepare('SELECT 1').get();
  }

  close(): void {
    this.db.close();
  }
}

export function summarizeDocument({ content: _content, ...summary }: StoredDocument): DocumentSummary {
  return summary;
}

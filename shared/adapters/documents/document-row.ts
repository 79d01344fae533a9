/** The `documents` table's row, as both adapters write and read it. */
import type { StoredDocument } from './document-store';

export const DOCUMENT_COLUMNS = ['id', 'title', 'metadata', 'content', 'content_sha256', 'size_bytes', 'created_at', 'updated_at'] as const;

/** SQLite hands back text, Postgres parsed JSONB and Dates. */
export interface DocumentRow {
  id: string;
  title: string | null;
  metadata: string | StoredDocument['metadata'];
  content: string;
  content_sha256: string;
  size_bytes: number;
  created_at: string | Date;
  updated_at: string | Date;
}

/** Values in DOCUMENT_COLUMNS order; metadata as JSON text (Postgres casts it to JSONB). */
export function documentRowValues(document: StoredDocument): (string | number | null)[] {
  return [
    document.id,
    document.title,
    JSON.stringify(document.metadata),
    document.content,
    document.contentSha256,
    document.sizeBytes,
    document.createdAt,
    document.updatedAt,
  ];
}

const isoTime = (value: string | Date) => (value instanceof Date ? value.toISOString() : value);

export function toDocument(row: DocumentRow): StoredDocument {
  return {
    id: row.id,
    title: row.title,
    metadata: typeof row.metadata === 'string' ? (JSON.parse(row.metadata) as StoredDocument['metadata']) : row.metadata,
    content: row.content,
    contentSha256: row.content_sha256,
    sizeBytes: row.size_bytes,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

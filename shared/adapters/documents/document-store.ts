/**
 * Documents: one async interface, two adapters beside it: SQLite under DATA_DIR by default,
 * Postgres when DATABASE_URL is set so workers on other hosts read the same documents.
 */
import { hash, randomUUID } from 'node:crypto';

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

export interface DocumentStore {
  /** `sqlite` or `postgres`: names the health check. */
  readonly kind: string;
  create(input: NewDocument): Promise<StoredDocument>;
  get(id: string): Promise<StoredDocument | undefined>;
  /** Replaces the content (and title/metadata when given); undefined when no such document exists. */
  update(id: string, input: NewDocument): Promise<StoredDocument | undefined>;
  /** true when a document was deleted. */
  delete(id: string): Promise<boolean>;
  /** A cheap liveness probe for health checks; rejects when the store is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const DOCUMENT_ID_PATTERN = /^doc_[0-9a-f]{32}$/;

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** The record a new document is stored as; both adapters write exactly this. */
export function newDocumentRecord(input: NewDocument, now = new Date()): StoredDocument {
  const at = now.toISOString();
  return {
    id: `doc_${randomUUID().replace(/-/g, '')}`,
    title: input.title ?? null,
    metadata: input.metadata ?? {},
    ...contentFields(input.content),
    createdAt: at,
    updatedAt: at,
  };
}

/** The fields derived from a document's text. */
export function contentFields(content: string): Pick<StoredDocument, 'content' | 'contentSha256' | 'sizeBytes'> {
  return { content, contentSha256: sha256Hex(content), sizeBytes: Buffer.byteLength(content, 'utf8') };
}

export function summarizeDocument({ content: _content, ...summary }: StoredDocument): DocumentSummary {
  return summary;
}

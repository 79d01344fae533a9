/** The one place that picks the document store: Postgres when DATABASE_URL is set, SQLite under DATA_DIR otherwise. */
import type { AppConfig } from '../../config';
import type { DocumentStore } from './document-store';
import { PostgresDocumentStore } from './postgres-document-store';
import { SqliteDocumentStore } from './sqlite-document-store';

/** Opens the store and brings its schema up to date (idempotent; safe from many processes at once). */
export async function openDocumentStore(
  config: Pick<AppConfig, 'dataDir' | 'documents'>,
  log?: (message: string) => void,
): Promise<DocumentStore> {
  const store = config.documents.databaseUrl
    ? new PostgresDocumentStore({ url: config.documents.databaseUrl, poolSize: config.documents.poolSize, log })
    : SqliteDocumentStore.inDataDir(config.dataDir);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

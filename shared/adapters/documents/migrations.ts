/**
 * Versioned schema changes of the document store. Each adapter lists its own SQL; the runner records
 * applied versions in `schema_migrations` and applies the rest in order, under the adapter's lock, so
 * every process may run it at start (the API and each worker do) without racing the others.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Migrations not yet applied, in version order. Versions the code does not know (a newer release ran) are left alone. */
export function pendingMigrations(migrations: readonly Migration[], appliedVersions: readonly number[]): Migration[] {
  const versions = migrations.map((migration) => migration.version);
  if (new Set(versions).size !== versions.length) throw new Error(`duplicate migration version in ${versions.join(', ')}`);
  const applied = new Set(appliedVersions);
  return migrations.filter((migration) => !applied.has(migration.version)).sort((a, b) => a.version - b.version);
}

export const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * The embedded server's SQLite visibility table carries 45 indexes: one per column a list query may filter
 * on, including every pre-allocated custom search-attribute column (Bool01…Keyword10) whether or not a
 * search attribute is registered on it. Every start, upsert and close of a workflow rewrites its row
 * (REPLACE = delete + insert) through all of them: a `perf` profile put the three visibility writes of a
 * one-activity run at a quarter of the server's CPU.
 *
 * The dev server keeps the indexes that a list filters on (the UI's columns, schedules, worker
 * deployments, parent and root workflow, and the columns that hold a registered search attribute), and
 * drops the rest. A query on a column without an index still works, by a scan of the table.
 * Aliases are read at every start, so a search attribute registered later gets its index back then.
 */
import Database from 'better-sqlite3';

export const VISIBILITY_TABLE = 'executions_visibility';

/** System columns no list of ours, nor the UI's views, filters on. */
const UNFILTERED_SYSTEM_COLUMNS = new Set([
  'history_length',
  'history_size_bytes',
  'execution_duration',
  'state_transition_count',
  'parent_run_id',
  'root_run_id',
  'BatcherUser',
  'TemporalScheduledStartTime',
  'TemporalPauseInfo',
]);

/** Pre-allocated custom search-attribute columns with a b-tree index (Text and KeywordList ones are full-text). */
const CUSTOM_COLUMN = /^(Bool|Datetime|Double|Int|Keyword)(\d{2})$/;

export interface VisibilityIndex {
  name: string;
  /** The column the index leads with after the namespace; undefined for the default (expression) index. */
  column: string | undefined;
}

export interface VisibilityIndexPlan {
  drop: string[];
  /** Custom columns that hold a registered search attribute but have no index (it was dropped before the registration). */
  create: string[];
}

/** Which indexes to drop and to create, given the ones there are and the columns search attributes are registered on. */
export function planVisibilityIndexes(indexes: VisibilityIndex[], registeredColumns: Iterable<string>): VisibilityIndexPlan {
  const registered = new Set(registeredColumns);
  const drop = indexes
    .filter(({ column }) => column !== undefined && (UNFILTERED_SYSTEM_COLUMNS.has(column) || (CUSTOM_COLUMN.test(column) && !registered.has(column))))
    .map(({ name }) => name);
  const indexed = new Set(indexes.map(({ column }) => column));
  const create = [...registered].filter((column) => CUSTOM_COLUMN.test(column) && !indexed.has(column)).sort();
  return { drop, create };
}

/** The server schema's own statement for a custom column's index (same name, same key). */
export function customColumnIndexStatement(column: string): string {
  const [, kind, number] = CUSTOM_COLUMN.exec(column) ?? [];
  if (!kind) throw new Error(`not a custom search-attribute column: ${column}`);
  return (
    `CREATE INDEX IF NOT EXISTS by_${kind.toLowerCase()}_${number} ON ${VISIBILITY_TABLE} ` +
    `(namespace_id, ${column}, (COALESCE(close_time, '9999-12-31 23:59:59+00:00')) DESC, start_time DESC, run_id)`
  );
}

/** The visibility table's declared indexes (not SQLite's automatic ones), each with the column it leads with. */
export function visibilityIndexesOf(db: Database.Database): VisibilityIndex[] {
  const names = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`)
    .all(VISIBILITY_TABLE) as { name: string }[];
  return names.map(({ name }) => {
    const keys = (db.prepare(`SELECT name FROM pragma_index_xinfo(?) WHERE key = 1`).all(name) as { name: string | null }[]).map((key) => key.name);
    return { name, column: keys[0] === 'namespace_id' ? (keys[1] ?? undefined) : undefined };
  });
}

/** Applies the plan to the dev server's database file; the server may be running (it waits on the lock, as this does). */
export function fitVisibilityIndexes(dbFile: string, registeredColumns: Iterable<string>): VisibilityIndexPlan {
  const db = new Database(dbFile, { timeout: 10_000 });
  try {
    const plan = planVisibilityIndexes(visibilityIndexesOf(db), registeredColumns);
    if (plan.drop.length > 0 || plan.create.length > 0) {
      db.transaction(() => {
        for (const name of plan.drop) db.exec(`DROP INDEX IF EXISTS "${name}"`);
        for (const column of plan.create) db.exec(customColumnIndexStatement(column));
      })();
    }
    return plan;
  } finally {
    db.close();
  }
}

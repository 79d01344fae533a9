import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { customColumnIndexStatement, fitVisibilityIndexes, planVisibilityIndexes, VISIBILITY_TABLE } from '../../scripts/temporal/visibility-indexes';

const index = (name: string, column: string | undefined) => ({ name, column });

describe('visibility indexes of the embedded server', () => {
  const schema = [
    index('default_idx', undefined),
    index('by_workflow_type', 'workflow_type_name'),
    index('by_status', 'status'),
    index('by_parent_workflow_id', 'parent_workflow_id'),
    index('by_history_length', 'history_length'),
    index('by_root_run_id', 'root_run_id'),
    index('by_temporal_worker_deployment_version', 'TemporalWorkerDeploymentVersion'),
    index('by_temporal_pause_info', 'TemporalPauseInfo'),
    index('by_keyword_01', 'Keyword01'),
    index('by_keyword_02', 'Keyword02'),
    index('by_int_01', 'Int01'),
    index('a_users_own_index', 'workflow_id'),
  ];

  it('drops the columns no list filters on and the custom columns with no search attribute, keeps the rest', () => {
    const plan = planVisibilityIndexes(schema, ['Keyword02']);
    assert.deepEqual(plan.drop, ['by_history_length', 'by_root_run_id', 'by_temporal_pause_info', 'by_keyword_01', 'by_int_01']);
    assert.deepEqual(plan.create, []);
  });

  it('gives a column its index back once a search attribute is registered on it', () => {
    const fitted = schema.filter(({ name }) => !planVisibilityIndexes(schema, ['Keyword02']).drop.includes(name));
    const plan = planVisibilityIndexes(fitted, ['Keyword02', 'Keyword01', 'Int01', 'Text01', 'KeywordList01']);
    assert.deepEqual(plan.drop, []);
    assert.deepEqual(plan.create, ['Int01', 'Keyword01'], 'Text and KeywordList columns are full-text, not b-tree indexed');
  });

  it('writes the server schema’s own statement for a custom column', () => {
    assert.equal(
      customColumnIndexStatement('Keyword07'),
      `CREATE INDEX IF NOT EXISTS by_keyword_07 ON ${VISIBILITY_TABLE} (namespace_id, Keyword07, (COALESCE(close_time, '9999-12-31 23:59:59+00:00')) DESC, start_time DESC, run_id)`,
    );
    assert.throws(() => customColumnIndexStatement('status'), /not a custom search-attribute column: status/);
  });

  it('applies the plan to a SQLite file, and a second pass finds nothing to do', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'visibility-indexes-')), 'temporal.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE ${VISIBILITY_TABLE} (namespace_id TEXT, run_id TEXT, close_time TEXT, start_time TEXT, history_length INT, Keyword01 TEXT, Keyword02 TEXT, PRIMARY KEY (namespace_id, run_id))`);
    db.exec(`CREATE INDEX default_idx ON ${VISIBILITY_TABLE} (namespace_id, (COALESCE(close_time, '9999-12-31 23:59:59+00:00')) DESC, start_time DESC, run_id)`);
    db.exec(`CREATE INDEX by_history_length ON ${VISIBILITY_TABLE} (namespace_id, history_length, start_time DESC, run_id)`);
    db.exec(customColumnIndexStatement('Keyword01'));
    db.close();

    assert.deepEqual(fitVisibilityIndexes(file, ['Keyword02']), { drop: ['by_history_length', 'by_keyword_01'], create: ['Keyword02'] });
    const reader = new Database(file, { readonly: true });
    const names = reader.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`).all() as { name: string }[];
    reader.close();
    assert.deepEqual(names.map(({ name }) => name), ['by_keyword_02', 'default_idx']);
    assert.deepEqual(fitVisibilityIndexes(file, ['Keyword02']), { drop: [], create: [] });
  });
});

import assert from 'node:assert/strict';
import { pendingMigrations, type Migration } from '../../shared/adapters/documents/migrations';

const migration = (version: number): Migration => ({ version, name: `v${version}`, sql: `-- ${version}` });

describe('document store migrations', () => {
  it('applies every migration, in version order, to a new store', () => {
    assert.deepEqual(pendingMigrations([migration(2), migration(1), migration(3)], []).map((m) => m.version), [1, 2, 3]);
  });

  it('applies only the versions not yet recorded', () => {
    assert.deepEqual(pendingMigrations([migration(1), migration(2), migration(3)], [1, 2]).map((m) => m.version), [3]);
  });

  it('leaves a store migrated by a newer release alone (versions it does not know)', () => {
    assert.deepEqual(pendingMigrations([migration(1)], [1, 2]), []);
  });

  it('refuses a list with the same version twice', () => {
    assert.throws(() => pendingMigrations([migration(1), migration(1)], []), /duplicate migration version/);
  });
});

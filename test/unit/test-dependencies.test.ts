import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findPostgresBinDir, planTestDependencies } from '../../scripts/test-dependencies';

const redis = { name: 'redis-server', aptPackage: 'redis-server' };
const postgres = { name: 'PostgreSQL (initdb, postgres)', aptPackage: 'postgresql' };

describe('test dependencies (redis-server, PostgreSQL)', () => {
  it('does nothing when everything is found', () => {
    assert.deepEqual(planTestDependencies([], { isRoot: false, hasAptGet: false }), { action: 'none' });
  });

  it('installs the missing packages with apt-get when root on a machine with apt', () => {
    assert.deepEqual(planTestDependencies([redis, postgres], { isRoot: true, hasAptGet: true }), { action: 'apt-get', packages: ['redis-server', 'postgresql'] });
  });

  for (const machine of [{ isRoot: false, hasAptGet: true }, { isRoot: true, hasAptGet: false }]) {
    it(`fails with one line naming what is missing and how to get it (root: ${machine.isRoot}, apt-get: ${machine.hasAptGet})`, () => {
      const plan = planTestDependencies([postgres], machine);
      assert.equal(plan.action, 'fail');
      const message = (plan as { message: string }).message;
      assert.doesNotMatch(message, /\n/);
      assert.match(message, /PostgreSQL/);
      assert.match(message, /apt-get install postgresql/);
      assert.match(message, /POSTGRES_BIN_DIR/);
    });
  }

  it('finds Postgres through POSTGRES_BIN_DIR only when it holds initdb and postgres', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-postgres-'));
    try {
      assert.equal(findPostgresBinDir({ POSTGRES_BIN_DIR: empty, PATH: '' }, empty), undefined);
      assert.equal(findPostgresBinDir({ PATH: empty }, path.join(empty, 'missing')), undefined);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

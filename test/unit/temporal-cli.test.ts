import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { devServerArgs, devServerEnv } from '../../scripts/temporal/dev-server';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../shared/core/names';
import { resolveTemporalCli, TemporalCliNotFoundError } from '../../scripts/temporal/temporal-cli';

function fakeBinary(dir: string, name = 'temporal'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return file;
}

describe('Temporal CLI resolution', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-test-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes TEMPORAL_CLI_PATH first', async () => {
    const explicit = fakeBinary(dir, 'my-temporal');
    const onPath = fs.mkdtempSync(path.join(dir, 'bin-'));
    fakeBinary(onPath);
    const cli = await resolveTemporalCli({ cliPath: explicit, env: { PATH: onPath }, allowInstall: false });
    assert.deepEqual(cli, { path: explicit, source: 'TEMPORAL_CLI_PATH' });
  });

  it('reports a TEMPORAL_CLI_PATH that is not executable instead of looking elsewhere', async () => {
    await assert.rejects(
      resolveTemporalCli({ cliPath: path.join(dir, 'missing'), env: { PATH: '' }, allowInstall: false }),
      (error: Error) => error instanceof TemporalCliNotFoundError && error.message.includes('TEMPORAL_CLI_PATH'),
    );
  });

  it('then finds `temporal` on PATH', async () => {
    const binary = fakeBinary(dir);
    const cli = await resolveTemporalCli({ env: { PATH: `/nonexistent${path.delimiter}${dir}` }, allowInstall: false });
    assert.deepEqual(cli, { path: binary, source: 'PATH' });
  });

  it('then looks in GOPATH/bin', async () => {
    const gopath = path.join(dir, 'go');
    fs.mkdirSync(path.join(gopath, 'bin'), { recursive: true });
    const binary = fakeBinary(path.join(gopath, 'bin'));
    // `go` itself must be reachable to answer `go env`; the temp dir alone is not on PATH.
    const cli = await resolveTemporalCli({
      env: { PATH: process.env.PATH!.split(path.delimiter).filter((entry) => !fs.existsSync(path.join(entry, 'temporal'))).join(path.delimiter), GOPATH: gopath, GOBIN: '', HOME: process.env.HOME, GOCACHE: process.env.GOCACHE ?? path.join(os.homedir(), '.cache/go-build') },
      allowInstall: false,
    });
    assert.deepEqual(cli, { path: binary, source: 'GOPATH' });
  });

  it('names every way it tried when none works', async () => {
    await assert.rejects(resolveTemporalCli({ env: { PATH: dir }, allowInstall: false }), (error: Error) => {
      assert.ok(error instanceof TemporalCliNotFoundError);
      assert.match(error.message, /TEMPORAL_CLI_PATH/);
      assert.match(error.message, /on PATH/);
      assert.match(error.message, /go env GOPATH|GOPATH/);
      assert.match(error.message, /go install/);
      return true;
    });
  });
});

describe('dev server arguments', () => {
  it('persist state, bind to loopback and register every search attribute', () => {
    const args = devServerArgs({ cliPath: 't', port: 7233, uiPort: 8233, dbFile: '/d/t.db', namespace: 'default' });
    assert.deepEqual(args.slice(0, 2), ['server', 'start-dev']);
    assert.equal(args[args.indexOf('--db-filename') + 1], '/d/t.db');
    assert.equal(args[args.indexOf('--port') + 1], '7233');
    assert.equal(args[args.indexOf('--ui-port') + 1], '8233');
    assert.equal(args[args.indexOf('--ip') + 1], '127.0.0.1');
    const registered = args.flatMap((arg, i) => (args[i - 1] === '--search-attribute' ? [arg] : []));
    assert.deepEqual(registered, SEARCH_ATTRIBUTE_REGISTRATIONS);
    assert.ok(registered.includes('DocumentId=Keyword'));
  });

  it('run with the measured dynamic config, and WAL pragmas only for a file store', () => {
    const valuesOf = (args: string[], flag: string) => args.flatMap((arg, i) => (args[i - 1] === flag ? [arg] : []));
    const withFile = devServerArgs({ cliPath: 't', port: 1, uiPort: 2, dbFile: '/d/t.db', namespace: 'default' });
    assert.ok(valuesOf(withFile, '--dynamic-config-value').includes('history.transferProcessorMaxPollRPS=10000'));
    assert.deepEqual(valuesOf(withFile, '--sqlite-pragma'), ['journal_mode=wal', 'synchronous=normal', 'busy_timeout=10000']);
    const inMemory = devServerArgs({ cliPath: 't', port: 1, uiPort: 2, namespace: 'default' });
    assert.deepEqual(valuesOf(inMemory, '--sqlite-pragma'), []);
    const more = devServerArgs({ cliPath: 't', port: 1, uiPort: 2, dbFile: '/d/t.db', namespace: 'default', sqlitePragmas: ['cache_size=-65536'] });
    assert.deepEqual(valuesOf(more, '--sqlite-pragma'), ['journal_mode=wal', 'synchronous=normal', 'busy_timeout=10000', 'cache_size=-65536']);
    const untuned = devServerArgs({ cliPath: 't', port: 1, uiPort: 2, dbFile: '/d/t.db', namespace: 'default', untuned: true, sqlitePragmas: ['cache_size=-65536'] });
    assert.deepEqual(valuesOf(untuned, '--sqlite-pragma'), ['cache_size=-65536']);
  });

  it("run Go's collector less often unless the environment or the caller says otherwise", () => {
    assert.equal(devServerEnv({}, { PATH: '/bin' }).GOGC, '400');
    assert.equal(devServerEnv({}, { PATH: '/bin' }).PATH, '/bin');
    assert.equal(devServerEnv({}, { GOGC: '150' }).GOGC, '150');
    assert.equal(devServerEnv({ env: { GOGC: '100' } }, { GOGC: '150' }).GOGC, '100');
    assert.equal(devServerEnv({ untuned: true }, {}).GOGC, undefined);
  });

  it('has no UI port when headless', () => {
    const args = devServerArgs({ cliPath: 't', port: 1, uiPort: 2, namespace: 'default', headless: true });
    assert.ok(args.includes('--headless'));
    assert.ok(!args.includes('--ui-port'));
  });

  it('sets dynamic config for fast worker-version drainage only when asked', () => {
    const dynamicConfig = (args: string[]) => args.flatMap((arg, i) => (args[i - 1] === '--dynamic-config-value' ? [arg] : []));
    const without = dynamicConfig(devServerArgs({ cliPath: 't', port: 1, uiPort: 2, namespace: 'default' }));
    const withFastDrainage = dynamicConfig(devServerArgs({ cliPath: 't', port: 1, uiPort: 2, namespace: 'default', fastVersionDrainage: true }));
    assert.deepEqual(withFastDrainage.filter((value) => !without.includes(value)), [
      'matching.wv.VersionDrainageStatusRefreshInterval="2s"',
      'matching.wv.VersionDrainageStatusVisibilityGracePeriod="2s"',
    ]);
  });
});

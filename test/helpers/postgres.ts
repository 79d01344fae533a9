/**
 * Debian's real PostgreSQL for tests: initdb in a temporary directory and `postgres` on a free port,
 * one server per test run, a fresh database per caller. As root the server runs as the `postgres`
 * user (initdb and postgres refuse root). A missing binary fails the run; it never skips.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { findPostgresBinDir } from '../../scripts/test-dependencies';
import { freePort } from './ports';

export interface TestPostgres {
  readonly port: number;
  /** A new, empty database; its postgres:// URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** uid/gid to run the server as: ourselves, or the `postgres` account when we are root. */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const [uid, gid] = [id('-u'), id('-g')];
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error('PostgreSQL refuses to run as root and there is no `postgres` user: install the postgresql package (it creates one).');
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function binDir(): string {
  const dir = findPostgresBinDir();
  if (!dir) {
    throw new Error(
      'PostgreSQL (initdb, postgres) is required by the tests but was not found on PATH, in POSTGRES_BIN_DIR or under /usr/lib/postgresql. ' +
        'Install it with `apt-get install postgresql` (`npm test` does when root).',
    );
  }
  return dir;
}

async function waitUntilAccepting(url: string, server: ChildProcess, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited with ${server.exitCode}: ${output()}`);
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${timeoutMs} ms: ${(error as Error).message}\n${output()}`);
    } finally {
      await client.end().catch(() => {});
    }
    await sleep(100);
  }
}

async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const account = serverAccount();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'analysis-pg-'));
  if (account) fs.chownSync(root, account.uid, account.gid);
  const dataDir = path.join(root, 'data');
  const asServer = { ...(account ?? {}), env: { PATH: process.env.PATH, LANG: 'C' } };

  const init = spawnSync(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    ...asServer,
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.error?.message ?? init.stderr}`);

  const port = await freePort();
  // Durability off: the data lives only as long as the test run.
  const server = spawn(
    path.join(bin, 'postgres'),
    ['-D', dataDir, '-p', String(port), '-k', root, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    { ...asServer, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr!.on('data', (chunk) => (log = (log + chunk).slice(-4000)));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  try {
    await waitUntilAccepting(urlOf('postgres'), server, () => log);
  } catch (error) {
    server.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
    throw error;
  }

  return {
    port,
    createDatabase: async () => {
      const name = `test_${randomUUID().replace(/-/g, '')}`;
      const admin = new Client({ connectionString: urlOf('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return urlOf(name);
    },
    stop: async () => {
      if (server.exitCode === null) {
        server.kill('SIGINT'); // fast shutdown: disconnects clients, no checkpoint wait
        await exited;
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

let shared: Promise<TestPostgres> | undefined;

/** The run's one Postgres server, started on first use and stopped by the root hook. */
export function getTestPostgres(): Promise<TestPostgres> {
  shared ??= startPostgres();
  return shared;
}

export async function stopTestPostgres(): Promise<void> {
  const running = shared;
  shared = undefined;
  if (running) await (await running.catch(() => undefined))?.stop();
}

/**
 * The servers the test suite starts besides Temporal: redis-server and PostgreSQL (initdb, postgres).
 * Found on this machine, or installed with apt-get when we may; otherwise one line says how to get them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface TestDependency {
  /** What the tests run, for messages. */
  name: string;
  /** The Debian package that provides it. */
  aptPackage: string;
  /** Where it is, or undefined. */
  find(): string | undefined;
}

const runs = (binary: string, args: string[]) => {
  const probe = spawnSync(binary, args, { encoding: 'utf8' });
  return !probe.error && probe.status === 0;
};

/** REDIS_SERVER_PATH, else `redis-server` on PATH. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const binary = env.REDIS_SERVER_PATH ?? 'redis-server';
  return runs(binary, ['--version']) ? binary : undefined;
}

/** The directory holding initdb and postgres: POSTGRES_BIN_DIR, else PATH, else Debian's /usr/lib/postgresql/<newest>/bin. */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env, debianRoot = '/usr/lib/postgresql'): string | undefined {
  const hasServer = (dir: string) => ['initdb', 'postgres'].every((binary) => runs(path.join(dir, binary), ['--version']));
  if (env.POSTGRES_BIN_DIR) return hasServer(env.POSTGRES_BIN_DIR) ? env.POSTGRES_BIN_DIR : undefined;
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    if (fs.existsSync(path.join(dir, 'initdb')) && hasServer(dir)) return dir;
  }
  const versions = fs.existsSync(debianRoot) ? fs.readdirSync(debianRoot).filter((name) => /^\d+$/.test(name)) : [];
  for (const version of versions.sort((a, b) => Number(b) - Number(a))) {
    const dir = path.join(debianRoot, version, 'bin');
    if (hasServer(dir)) return dir;
  }
  return undefined;
}

export const TEST_DEPENDENCIES: TestDependency[] = [
  { name: 'redis-server', aptPackage: 'redis-server', find: () => findRedisServer() },
  { name: 'PostgreSQL (initdb, postgres)', aptPackage: 'postgresql', find: () => findPostgresBinDir() },
];

export type InstallPlan = { action: 'none' } | { action: 'apt-get'; packages: string[] } | { action: 'fail'; message: string };

/** What to do about the missing dependencies: nothing, apt-get (as root, with apt), or fail with how to get them. */
export function planTestDependencies(missing: Pick<TestDependency, 'name' | 'aptPackage'>[], machine: { isRoot: boolean; hasAptGet: boolean }): InstallPlan {
  if (missing.length === 0) return { action: 'none' };
  const packages = missing.map((dependency) => dependency.aptPackage);
  if (machine.isRoot && machine.hasAptGet) return { action: 'apt-get', packages };
  return {
    action: 'fail',
    message:
      `The tests need ${missing.map((dependency) => dependency.name).join(' and ')}: install ${packages.join(' ')} ` +
      `(\`sudo apt-get install ${packages.join(' ')}\`, or your system's packages) or set REDIS_SERVER_PATH / POSTGRES_BIN_DIR.`,
  };
}

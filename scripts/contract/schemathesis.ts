/**
 * Finds Schemathesis for `npm run test:contract`, or installs the pinned version into a virtualenv of
 * its own: `SCHEMATHESIS_PATH` → `<cache>/schemathesis-<version>/bin/st` → `python3 -m venv` + pip.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SCHEMATHESIS_VERSION = '4.32.5';

/** Where the virtualenv lives: outside the work tree, so `npm ci` and clean checkouts keep it. */
export function schemathesisVenvDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(cacheHome, 'resilient-llm-analysis', `schemathesis-${SCHEMATHESIS_VERSION}`);
}

const versionOf = (st: string): string | undefined => {
  const result = spawnSync(st, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? /(\d+\.\d+\.\d+)/.exec(result.stdout)?.[1] : undefined;
};

function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.error || result.status !== 0) {
    throw new Error(`${what} failed (${result.error?.message ?? `exit ${result.status}`}). ` +
      `Install Python 3 with venv (Debian: apt-get install python3-venv), or set SCHEMATHESIS_PATH to an \`st\` binary of Schemathesis ${SCHEMATHESIS_VERSION}.`);
  }
}

/** The path of an `st` binary of the pinned version, installing it when needed (about 20 s, once). */
export function ensureSchemathesis(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.error): string {
  if (env.SCHEMATHESIS_PATH) {
    if (!versionOf(env.SCHEMATHESIS_PATH)) throw new Error(`SCHEMATHESIS_PATH=${env.SCHEMATHESIS_PATH} does not run`);
    return env.SCHEMATHESIS_PATH;
  }
  const venv = schemathesisVenvDir(env);
  const st = path.join(venv, 'bin', 'st');
  if (fs.existsSync(st) && versionOf(st) === SCHEMATHESIS_VERSION) return st;
  log(`schemathesis: installing ${SCHEMATHESIS_VERSION} into ${venv}`);
  fs.rmSync(venv, { recursive: true, force: true });
  run('python3', ['-m', 'venv', venv], 'python3 -m venv');
  run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`], 'pip install schemathesis');
  if (versionOf(st) !== SCHEMATHESIS_VERSION) throw new Error(`schemathesis ${SCHEMATHESIS_VERSION} did not install into ${venv}`);
  return st;
}

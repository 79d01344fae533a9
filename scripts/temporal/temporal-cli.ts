/**
 * Finds a real Temporal CLI (it carries the dev server and the UI), building or downloading it when
 * the machine has none. Used by `npm start`, `npm run dev-server`, the tests and CI.
 * Order: TEMPORAL_CLI_PATH → `temporal` on PATH → $(go env GOPATH)/bin/temporal → `go install` →
 * @temporalio/testing's download.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The newest CLI release whose go.mod has no `replace` directive, which `go install pkg@version` refuses. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export type CliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'GOPATH' | 'go install' | '@temporalio/testing download';

export interface ResolvedCli {
  path: string;
  source: CliSource;
}

export interface ResolveOptions {
  cliPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Where a downloaded CLI is kept between runs. */
  downloadDir?: string;
  log?: (line: string) => void;
  /** Off in unit tests, which must not build or download anything. */
  allowInstall?: boolean;
}

export class TemporalCliNotFoundError extends Error {
  constructor(readonly attempts: string[]) {
    super(
      'No Temporal CLI could be found, built or downloaded. Tried, in order:\n' +
        attempts.map((line, i) => `  ${i + 1}. ${line}`).join('\n') +
        '\nFix one of them: set TEMPORAL_CLI_PATH to a temporal binary, put `temporal` on PATH, ' +
        `install Go and run \`go install ${TEMPORAL_CLI_MODULE}\`, or give the machine internet access.`,
    );
    this.name = 'TemporalCliNotFoundError';
  }
}

export function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findOnPath(binary: string, pathVariable: string | undefined): string | undefined {
  for (const dir of (pathVariable ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function goEnv(variable: string, env: NodeJS.ProcessEnv): string | undefined {
  const result = spawnSync('go', ['env', variable], { env, encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  const value = result.stdout.trim();
  return value === '' ? undefined : value;
}

/** Where `go install` puts binaries: GOBIN, else the first GOPATH entry's bin. */
export function goBinDir(env: NodeJS.ProcessEnv): string | undefined {
  const gobin = goEnv('GOBIN', env);
  if (gobin) return gobin;
  const gopath = goEnv('GOPATH', env);
  return gopath ? path.join(gopath.split(path.delimiter)[0]!, 'bin') : undefined;
}

/** `go install -v module` into Go's bin dir, logging progress every 100 packages. */
export function goInstall(module: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // -v names each package as it compiles: the progress a person waiting needs to see.
    const child = spawn('go', ['install', '-v', module], { env, stdio: ['ignore', 'inherit', 'pipe'] });
    let compiled = 0;
    let tail = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-4000);
      for (const line of chunk.split('\n')) {
        if (!line.trim()) continue;
        compiled += 1;
        if (compiled % 100 === 0 || line.startsWith('go: ')) log(`  go install: ${compiled} steps, last: ${line.trim()}`);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`go install exited with ${code}: ${tail.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

async function downloadWithTestingPackage(downloadDir: string): Promise<string> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  fs.mkdirSync(downloadDir, { recursive: true });
  // Starting (and stopping) an ephemeral server is the only public way to make the SDK fetch the CLI.
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'cached-download', downloadDir } },
  });
  await env.teardown();
  const downloaded = fs
    .readdirSync(downloadDir)
    .map((name) => path.join(downloadDir, name))
    .find((file) => path.basename(file).startsWith('temporal') && isExecutableFile(file));
  if (!downloaded) throw new Error(`the SDK started a server but left no executable in ${downloadDir}`);
  return downloaded;
}

export async function resolveTemporalCli(options: ResolveOptions = {}): Promise<ResolvedCli> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.error(line));
  const allowInstall = options.allowInstall ?? true;
  const attempts: string[] = [];

  if (options.cliPath) {
    if (isExecutableFile(options.cliPath)) return { path: path.resolve(options.cliPath), source: 'TEMPORAL_CLI_PATH' };
    // An explicit path that is wrong is a mistake to report, not a reason to build something else.
    throw new TemporalCliNotFoundError([`TEMPORAL_CLI_PATH=${options.cliPath}: not an executable file`]);
  }
  attempts.push('TEMPORAL_CLI_PATH: not set');

  const onPath = findOnPath('temporal', env.PATH);
  if (onPath) return { path: onPath, source: 'PATH' };
  attempts.push('`temporal` on PATH: not found');

  const binDir = goBinDir(env);
  const goBinary = binDir ? path.join(binDir, 'temporal') : undefined;
  if (goBinary && isExecutableFile(goBinary)) return { path: goBinary, source: 'GOPATH' };
  attempts.push(binDir ? `${goBinary}: not there` : 'Go toolchain: `go env GOPATH` failed (is Go installed?)');

  if (!allowInstall) throw new TemporalCliNotFoundError([...attempts, 'go install / download: not allowed here']);

  if (binDir && goBinary) {
    try {
      log(`Building the Temporal CLI with \`go install ${TEMPORAL_CLI_MODULE}\` (first build takes several minutes)…`);
      await goInstall(TEMPORAL_CLI_MODULE, env, log);
      if (isExecutableFile(goBinary)) return { path: goBinary, source: 'go install' };
      attempts.push(`go install ${TEMPORAL_CLI_MODULE}: finished but ${goBinary} is missing`);
    } catch (error) {
      attempts.push(`go install ${TEMPORAL_CLI_MODULE}: ${(error as Error).message}`);
    }
  } else {
    attempts.push('go install: skipped, no Go toolchain');
  }

  const downloadDir = options.downloadDir ?? path.resolve('.cache/temporal-cli');
  try {
    log('Downloading the Temporal CLI through @temporalio/testing…');
    return { path: await downloadWithTestingPackage(downloadDir), source: '@temporalio/testing download' };
  } catch (error) {
    attempts.push(`@temporalio/testing download into ${downloadDir}: ${(error as Error).message.split('\n')[0]}`);
  }
  throw new TemporalCliNotFoundError(attempts);
}

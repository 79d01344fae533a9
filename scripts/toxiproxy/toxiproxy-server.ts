/**
 * Finds toxiproxy-server for the fault suite, building it with Go when the machine has none.
 * Order: TOXIPROXY_SERVER_PATH → `toxiproxy-server` on PATH → Go's bin dir (`go install` names the
 * binary `server`, so it is recognised by its `-version` line) → `go install TOXIPROXY_MODULE`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { findOnPath, goBinDir, goInstall, isExecutableFile } from '../temporal/temporal-cli';

export const TOXIPROXY_MODULE = 'github.com/Shopify/toxiproxy/v2/cmd/server@v2.12.0';

export class ToxiproxyNotFoundError extends Error {
  constructor(attempts: string[]) {
    super(
      `toxiproxy-server not found or built (${attempts.join('; ')}): install Go and run \`go install ${TOXIPROXY_MODULE}\`, ` +
        'or set TOXIPROXY_SERVER_PATH to a toxiproxy-server binary.',
    );
    this.name = 'ToxiproxyNotFoundError';
  }
}

/** True when `binary -version` says it is toxiproxy-server (Go's bin dir may hold other programs called `server`). */
export function isToxiproxyServer(binary: string): boolean {
  if (!isExecutableFile(binary)) return false;
  const probe = spawnSync(binary, ['-version'], { encoding: 'utf8', timeout: 10_000 });
  return !probe.error && probe.status === 0 && probe.stdout.startsWith('toxiproxy-server');
}

export async function resolveToxiproxyServer(options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void; allowInstall?: boolean } = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.error(line));
  const attempts: string[] = [];

  if (env.TOXIPROXY_SERVER_PATH) {
    if (isToxiproxyServer(env.TOXIPROXY_SERVER_PATH)) return env.TOXIPROXY_SERVER_PATH;
    throw new ToxiproxyNotFoundError([`TOXIPROXY_SERVER_PATH=${env.TOXIPROXY_SERVER_PATH} is not toxiproxy-server`]);
  }
  const onPath = findOnPath('toxiproxy-server', env.PATH);
  if (onPath && isToxiproxyServer(onPath)) return onPath;
  attempts.push('not on PATH');

  const binDir = goBinDir(env);
  if (!binDir) throw new ToxiproxyNotFoundError([...attempts, 'no Go toolchain (`go env GOPATH` failed)']);
  const built = path.join(binDir, 'server');
  if (isToxiproxyServer(built)) return built;
  attempts.push(`${built}: not there`);
  if (options.allowInstall === false) throw new ToxiproxyNotFoundError([...attempts, 'go install not allowed here']);

  log(`Building toxiproxy-server with \`go install ${TOXIPROXY_MODULE}\`…`);
  try {
    await goInstall(TOXIPROXY_MODULE, env, log);
  } catch (error) {
    throw new ToxiproxyNotFoundError([...attempts, `go install failed: ${(error as Error).message}`]);
  }
  if (isToxiproxyServer(built)) return built;
  throw new ToxiproxyNotFoundError([...attempts, `go install finished but ${built} is not toxiproxy-server`]);
}

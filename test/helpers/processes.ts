/** Real service processes (worker, API) spawned from their entry points, as an operator would run them. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './http';

const ROOT = path.resolve(__dirname, '../..');

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** `ownProcessGroup`: as a terminal runs a command, so a signal can go to its whole group (`process.kill(-pid)`). */
export function spawnEntry(entry: string, env: NodeJS.ProcessEnv, options: { ownProcessGroup?: boolean } = {}): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownProcessGroup ?? false,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A worker process, resolved once it polls its task queues. */
export async function spawnWorker(env: NodeJS.ProcessEnv): Promise<Spawned> {
  const worker = spawnEntry('workers/main.ts', env);
  try {
    await waitFor(async () => worker.output(), (output) => output.includes('worker: polling'), 60_000);
  } catch (error) {
    await worker.stop();
    throw new Error(`worker process did not start: ${worker.output()}`, { cause: error });
  }
  return worker;
}

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
  /** SIGKILL, to the whole process group when spawned with `processGroup` (a crash, children included). */
  kill(): Promise<number | null>;
}

/** `processGroup`: the entry and what it starts (e.g. the dev server's `temporal` binary) form one group that `kill()` ends. */
export function spawnEntry(entry: string, env: NodeJS.ProcessEnv, options: { processGroup?: boolean } = {}): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.processGroup ?? false,
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
    kill: () => {
      try {
        if (options.processGroup) process.kill(-child.pid!, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
      return exited;
    },
  };
}

/** Resolves once the process printed `text`; throws with its output if it exits or takes longer than `timeoutMs`. */
export async function waitForOutput(spawned: Spawned, text: string, timeoutMs = 60_000): Promise<void> {
  const output = await waitFor(async () => spawned.output(), (current) => current.includes(text) || spawned.child.exitCode !== null, timeoutMs).catch(() => spawned.output());
  if (!output.includes(text)) {
    await spawned.kill();
    throw new Error(`process did not print "${text}": ${output.slice(-2000)}`);
  }
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

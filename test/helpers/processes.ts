/** Real service processes (worker, API) spawned from their entry points, as an operator would run them. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from './http';

const ROOT = path.resolve(__dirname, '../..');

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /**
   * SIGTERM, then the exit code. With `withinMs`, a process still running by then is asked for a Node
   * diagnostic report (its JavaScript stack and the handles keeping it alive), killed, and the stop
   * fails with that report and the output's tail.
   */
  stop(options?: { withinMs?: number }): Promise<number | null>;
  /** SIGKILL, to the whole process group when spawned with `processGroup` (a crash, children included). */
  kill(): Promise<number | null>;
}

/** `processGroup`: the entry and what it starts (e.g. the dev server's `temporal` binary) form one group that `kill()` ends. */
export function spawnEntry(entry: string, env: NodeJS.ProcessEnv, options: { processGroup?: boolean } = {}): Spawned {
  const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'entry-report-'));
  // SIGUSR1 writes a report; the SDK's runtime takes SIGINT, SIGTERM, SIGQUIT and SIGUSR2 for shutdown.
  const reportArgs = ['--report-on-signal', '--report-signal=SIGUSR1', `--report-directory=${reportDir}`];
  const child = spawn(process.execPath, [...reportArgs, '--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.processGroup ?? false,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exited.then(() => fs.rmSync(reportDir, { recursive: true, force: true }));
  return {
    child,
    output: () => output,
    exited,
    stop: async ({ withinMs } = {}) => {
      if (child.exitCode === null) child.kill('SIGTERM');
      if (withinMs === undefined) return exited;
      const code = await Promise.race([exited, delay(withinMs).then(() => 'timed out' as const)]);
      if (code !== 'timed out') return code;
      const report = await diagnosticReport(child, reportDir);
      child.kill('SIGKILL');
      await exited;
      throw new Error(`${entry} did not exit within ${withinMs} ms of SIGTERM.\n${report}\nits output's end:\n${output.slice(-3000)}`);
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

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a hung process is doing: its JavaScript stack and the libuv handles that keep it alive. */
async function diagnosticReport(child: ChildProcess, reportDir: string): Promise<string> {
  child.kill('SIGUSR1');
  for (let waited = 0; waited < 5_000; waited += 100) {
    const file = fs.readdirSync(reportDir).find((name) => name.endsWith('.json'));
    if (file) {
      await delay(200);
      try {
        const report = JSON.parse(fs.readFileSync(path.join(reportDir, file), 'utf8'));
        const handles = (report.libuv as { type: string; is_active?: boolean; is_referenced?: boolean; address?: string; localEndpoint?: unknown; remoteEndpoint?: unknown }[])
          .filter((handle) => handle.is_active && handle.is_referenced)
          .map((handle) => `${handle.type} ${JSON.stringify(handle.localEndpoint ?? '')} -> ${JSON.stringify(handle.remoteEndpoint ?? '')}`);
        return `JavaScript stack: ${JSON.stringify(report.javascriptStack)}\nactive handles:\n  ${handles.join('\n  ')}`;
      } catch (error) {
        return `diagnostic report unreadable: ${String(error)}`;
      }
    }
    await delay(100);
  }
  return 'no diagnostic report within 5 s';
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

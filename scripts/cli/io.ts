/** Everything the commands do to the outside world besides HTTP, so a test could hand in its own. */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AnalysisApiClient } from './api-client';

export interface CliIo {
  /** A line (or block) to stdout: results only, so the output can be piped. */
  out(text: string): void;
  /** A line (or block) to stderr: progress, links, errors. */
  err(text: string): void;
  /** The file's text; "-" reads stdin. */
  readInput(file: string): Promise<string>;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface CliContext {
  api: AnalysisApiClient;
  io: CliIo;
}

export function processIo(): CliIo {
  // `cli status … | head -1` closes the pipe early: not a failure worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    readInput: (file) => (file === '-' ? readStdin() : readFile(file, 'utf8')),
    now: () => Date.now(),
    sleep: (ms) => sleep(ms),
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function asJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

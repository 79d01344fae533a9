/**
 * A multi-host deployment in miniature: an API process and N worker processes, started from their
 * entry points as an operator would, each with its own DATA_DIR, sharing only Postgres (documents),
 * Redis and the Temporal server. Used by the scale-out tests and `npm run bench -- scale-out`.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { stopHealthChecks } from '../../shared/adapters/deployment-bootstrap';
import { freePort } from './ports';
import { request, waitFor } from './http';
import { getTestPostgres } from './postgres';
import { spawnEntry, spawnWorker, type Spawned } from './processes';
import { startRedis, type RunningRedis } from './redis';

export interface ScaleOutCluster {
  apiUrl: string;
  /** The environment every process shares (apart from DATA_DIR). */
  env: NodeJS.ProcessEnv;
  api: Spawned;
  workers: Spawned[];
  /** Starts one more worker process with a DATA_DIR of its own. */
  addWorker(): Promise<Spawned>;
  stop(): Promise<void>;
}

/** `env` is laid over `baseEnv` (the test stack's: Temporal address, encryption keys). */
export async function startScaleOutCluster(client: Client, baseEnv: NodeJS.ProcessEnv, options: { workers: number; env?: NodeJS.ProcessEnv }): Promise<ScaleOutCluster> {
  const databaseUrl = await (await getTestPostgres()).createDatabase();
  const redis: RunningRedis = await startRedis();
  const dataDirs: string[] = [];
  const ownDataDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-out-host-'));
    dataDirs.push(dir);
    return dir;
  };
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    TEMPORAL_TASK_QUEUE: `scale-out-${randomUUID()}`,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...options.env,
  };
  const workers: Spawned[] = [];
  const port = await freePort();
  const api = spawnEntry('api/main.ts', { ...env, DATA_DIR: ownDataDir(), PORT: String(port) });
  const stop = async () => {
    await Promise.all([api, ...workers].map((process) => process.stop()));
    await stopHealthChecks(client, env.TEMPORAL_TASK_QUEUE!);
    await redis.stop();
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  };
  const addWorker = async () => {
    const worker = await spawnWorker({ ...env, DATA_DIR: ownDataDir() });
    workers.push(worker);
    return worker;
  };
  try {
    await waitFor(async () => api.output(), (output) => output.includes('api: listening') || api.child.exitCode !== null, 60_000);
    if (api.child.exitCode !== null) throw new Error(`API process exited: ${api.output()}`);
    // Started one after another: each bundles the workflows, and two at once on a small machine only race for the CPU.
    for (let i = 0; i < options.workers; i++) await addWorker();
  } catch (error) {
    await stop();
    throw error;
  }
  return { apiUrl: `http://127.0.0.1:${port}`, env, api, workers, addWorker, stop };
}

/** POST /api/analyze for each text, `concurrency` at a time; the job ids in order. */
export async function submitJobs(apiUrl: string, contents: string[], concurrency = 16): Promise<string[]> {
  const jobIds: string[] = new Array(contents.length);
  let next = 0;
  const lane = async () => {
    while (next < contents.length) {
      const index = next++;
      const response = await request(apiUrl, 'POST', '/api/analyze', { json: { content: contents[index] } });
      if (response.status !== 202) throw new Error(`POST /api/analyze answered ${response.status}: ${JSON.stringify(response.body)}`);
      jobIds[index] = response.body.jobId as string;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return jobIds;
}

/** Distinct texts (identical ones would share one job), short enough for the local analyzer to be quick. */
export function distinctTexts(count: number, tag = randomUUID().slice(0, 8)): string[] {
  return Array.from(
    { length: count },
    (_, i) => `Report ${tag}-${i}: Acme Corp opened office number ${i} in Berlin. Customers in Lisbon love the new service. Sales rose ${i % 17} percent.`,
  );
}

/** Worker identity (`pid@host`) → number of activity tasks it started, over the jobs' histories. */
export async function activityTasksByWorker(client: Client, jobIds: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const jobId of jobIds) {
    const history = await client.workflow.getHandle(jobId).fetchHistory();
    for (const event of history.events ?? []) {
      const identity = event.activityTaskStartedEventAttributes?.identity;
      if (identity) counts.set(identity, (counts.get(identity) ?? 0) + 1);
    }
  }
  return counts;
}

/** The SDK's default worker identity is `${pid}@${hostname}`. */
export const identityPid = (identity: string): number => Number(identity.split('@')[0]);

/** Resident set size of a process in MiB (Linux /proc): now, or its peak (`VmHWM`). */
export function rssMiB(pid: number, which: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(new RegExp(`^${which}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1]);
  return Math.round((kib / 1024) * 10) / 10;
}

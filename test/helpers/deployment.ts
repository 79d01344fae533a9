/**
 * A one-host deployment started the way an operator starts it: `npm run dev-server` (persistent state
 * file), `npm run api`, `npm run worker` ×N, a redis-server, and the provider emulator standing in for
 * Anthropic. Redis and the provider are reached through toxiproxy, so the network between the service
 * and each of them can be degraded. Every process can be SIGKILLed and started again with the same
 * settings, ports and state.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveTemporalCli } from '../../scripts/temporal/temporal-cli';
import { startProviderEmulator, type ProviderEmulator } from '../emulator/provider-emulator';
import { freePort } from './ports';
import { spawnEntry, spawnWorker, waitForOutput, type Spawned } from './processes';
import { startRedis, type RunningRedis } from './redis';
import { startToxiproxy, type Proxy, type Toxiproxy } from './toxiproxy';

/** One service process and how to start it again after it died. */
export interface ProcessSlot {
  readonly current: Spawned | undefined;
  start(): Promise<Spawned>;
  /** SIGKILL (the whole process group for the dev server). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface Deployment {
  apiUrl: string;
  env: NodeJS.ProcessEnv;
  emulator: ProviderEmulator;
  redis: RunningRedis;
  toxiproxy: Toxiproxy;
  /** Between every service process and Redis. */
  redisLink: Proxy;
  /** Between the workers and the provider emulator. */
  providerLink: Proxy;
  devServer: ProcessSlot;
  api: ProcessSlot;
  workers: ProcessSlot[];
  /** Starts one more worker process. */
  addWorker(): Promise<ProcessSlot>;
  stop(): Promise<void>;
}

function processSlot(launch: () => Promise<Spawned>): ProcessSlot {
  let current: Spawned | undefined;
  return {
    get current() {
      return current;
    },
    start: async () => {
      current = await launch();
      return current;
    },
    kill: async () => {
      await current?.kill();
      current = undefined;
    },
    stop: async () => {
      await current?.stop();
      current = undefined;
    },
  };
}

export async function startDeployment(options: { workers: number; env?: NodeJS.ProcessEnv }): Promise<Deployment> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await Promise.resolve(cleanup()).catch((error: unknown) => console.error('deployment cleanup failed:', error));
    }
  };
  try {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fault-suite-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const toxiproxy = await startToxiproxy();
    cleanups.push(() => toxiproxy.stop());
    const emulator = await startProviderEmulator();
    cleanups.push(() => emulator.close());
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const redisLink = await toxiproxy.proxy('redis', `127.0.0.1:${redis.port}`);
    const providerLink = await toxiproxy.proxy('provider', new URL(emulator.url).host);

    const apiPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_CLI_PATH: (await resolveTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH })).path,
      TEMPORAL_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      DATA_DIR: dataDir,
      PORT: String(apiPort),
      REDIS_URL: `redis://${redisLink.listen}`,
      LLM_PROVIDERS: 'anthropic,local',
      ANTHROPIC_API_KEY: 'sk-ant-fault-suite',
      ANTHROPIC_BASE_URL: `http://${providerLink.listen}/anthropic`,
      RATE_LIMIT_PER_MINUTE: '1000000',
      PAYLOAD_ENCRYPTION_KEYS: `fault-suite:${randomBytes(32).toString('base64')}`,
      ...options.env,
    };

    const devServer = processSlot(async () => {
      const spawned = spawnEntry('scripts/dev-server.ts', env, { processGroup: true });
      await waitForOutput(spawned, 'Temporal dev server:');
      return spawned;
    });
    cleanups.push(() => devServer.stop());
    await devServer.start();

    const api = processSlot(async () => {
      const spawned = spawnEntry('api/main.ts', env);
      await waitForOutput(spawned, 'api: listening');
      return spawned;
    });
    cleanups.push(() => api.stop());
    await api.start();

    const workers: ProcessSlot[] = [];
    cleanups.push(() => Promise.all(workers.map((worker) => worker.stop())).then(() => {}));
    const addWorker = async () => {
      const worker = processSlot(() => spawnWorker(env));
      await worker.start();
      workers.push(worker);
      return worker;
    };
    // One after another: each bundles the workflows, and two at once on a small machine only race for the CPU.
    for (let i = 0; i < options.workers; i++) await addWorker();

    return { apiUrl: `http://127.0.0.1:${apiPort}`, env, emulator, redis, toxiproxy, redisLink, providerLink, devServer, api, workers, addWorker, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

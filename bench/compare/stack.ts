/**
 * What `npm run bench -- compare` measures against, started the way users start it: one dev server
 * with the project's settings (a file store, as `npm start` uses), the provider emulator at 0 ms, the
 * project's worker and API as their own processes, and a bare "floor" worker process beside them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServerOptions, type RunningDevServer } from '../../scripts/temporal/dev-server';
import { resolveTemporalCli } from '../../scripts/temporal/temporal-cli';
import { startProviderEmulator, type ProviderEmulator } from '../../test/emulator/provider-emulator';
import { waitFor } from '../../test/helpers/http';
import { freePort } from '../../test/helpers/ports';
import { spawnEntry, spawnWorker, type Spawned } from '../../test/helpers/processes';

export const FLOOR_TASK_QUEUE = 'bench-floor';

export interface CompareStack {
  emulator: ProviderEmulator;
  devServer: RunningDevServer;
  client: Client;
  apiUrl: string;
  /** The API of each variant (`variants`), by name. */
  variantApiUrls: Record<string, string>;
  serverMetricsUrl: string;
  /** Process ids by role, for CPU accounting: temporal, floor worker, project worker(s), api. */
  pids: Record<string, number | undefined>;
  stop(): Promise<void>;
}

export interface CompareStackOptions {
  /** false: the CLI's default dev server settings (the "before" figures). */
  tuned?: boolean;
  /** false: only the floor worker, no project worker or API. */
  project?: boolean;
  /** Project worker processes (default 1). */
  workers?: number;
  /** Laid over the project's environment. */
  projectEnv?: NodeJS.ProcessEnv;
  /** Laid over the API process's environment only (e.g. NODE_OPTIONS for a CPU profile). */
  apiEnv?: NodeJS.ProcessEnv;
  /**
   * More deployments of the project beside the main one, by name, each with its own task queue, one
   * worker and an API, its settings laid over the project's: two configurations measured on one server.
   * Their processes are `project worker (<name>)` and `api (<name>)` in `pids`.
   */
  variants?: Record<string, NodeJS.ProcessEnv>;
  /** Laid over the dev server's settings (a candidate measured by `bench -- engine-settings`). */
  devServer?: Pick<DevServerOptions, 'env' | 'sqlitePragmas' | 'dynamicConfig'>;
}

/** For `apiEnv`: the process writes its V8 CPU profile into `dir` when it exits. */
export const cpuProfileEnv = (dir: string): NodeJS.ProcessEnv => ({
  NODE_OPTIONS: `--require ${path.join(__dirname, 'cpu-profile.cjs')}`,
  BENCH_CPU_PROFILE_DIR: path.resolve(dir),
});

export async function startCompareStack(options: CompareStackOptions = {}): Promise<CompareStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-compare-'));
  const emulator = await startProviderEmulator();
  const cli = await resolveTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH });
  const metricsPort = await freePort();
  const devServer = await startDevServer({
    cliPath: cli.path,
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
    headless: true,
    dbFile: path.join(dataDir, 'temporal.db'),
    metricsPort,
    ...(options.tuned === false && { untuned: true }),
    ...options.devServer,
  });
  const connection = await Connection.connect({ address: devServer.address });
  const client = new Client({ connection });
  const processes: Spawned[] = [];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: devServer.address,
    ANTHROPIC_BASE_URL: emulator.anthropicBaseUrl,
    LOG_LEVEL: 'warn',
  };
  // The tuned floor's worker gets the project's client-side setting too (no gzip), so the floor stays
  // the engine's best case; the untuned one keeps the SDK's defaults.
  const floor = spawnEntry('bench/floor/worker.ts', { ...env, FLOOR_TASK_QUEUE, ...(options.tuned !== false && { FLOOR_GRPC_COMPRESSION: 'none' }) });
  processes.push(floor);
  const pids: Record<string, number | undefined> = { temporal: devServer.process.pid, 'floor worker': floor.child.pid };
  await waitFor(async () => floor.output(), (output) => output.includes('floor worker: ready'), 60_000);

  let apiUrl = '';
  const variantApiUrls: Record<string, string> = {};
  const startProject = async (projectEnv: NodeJS.ProcessEnv, workers: number, label: (role: string, index: number) => string) => {
    const apiPort = await freePort();
    // A worker says it is polling at `info`; its log is otherwise quiet.
    for (let i = 0; i < workers; i++) {
      const worker = await spawnWorker({ ...projectEnv, LOG_LEVEL: 'info' });
      processes.push(worker);
      pids[label('project worker', i)] = worker.child.pid;
    }
    const api = spawnEntry('api/main.ts', { ...projectEnv, PORT: String(apiPort), ...options.apiEnv });
    processes.push(api);
    pids[label('api', 0)] = api.child.pid;
    const url = `http://127.0.0.1:${apiPort}`;
    await waitFor(() => fetch(`${url}/api/health/live`).then((r) => r.ok, () => false), (ok) => ok, 60_000);
    return url;
  };
  if (options.project !== false) {
    const projectEnv: NodeJS.ProcessEnv = {
      ...env,
      TEMPORAL_TASK_QUEUE: 'bench-project',
      DATA_DIR: dataDir,
      LLM_PROVIDERS: 'anthropic,local',
      ANTHROPIC_API_KEY: 'sk-ant-bench',
      // The measurement is the job path, not the provider's rate limit or the API's per-key limit: with
      // no server-side limit the provider step runs from the workflow's queue, dispatched eagerly.
      ANTHROPIC_RATE_LIMIT: process.env.BENCH_PROVIDER_RATE_LIMIT ?? '0',
      ANTHROPIC_MAX_CONCURRENCY: '200',
      RATE_LIMIT_PER_MINUTE: '10000000',
      ...options.projectEnv,
    };
    apiUrl = await startProject(projectEnv, options.workers ?? 1, (role, i) => (i === 0 ? role : `${role} ${i + 1}`));
    for (const [name, variantEnv] of Object.entries(options.variants ?? {})) {
      const variantDir = path.join(dataDir, `variant-${name.replace(/\W+/g, '-')}`);
      fs.mkdirSync(variantDir, { recursive: true });
      variantApiUrls[name] = await startProject({ ...projectEnv, TEMPORAL_TASK_QUEUE: `bench-project-${name.replace(/\W+/g, '-')}`, DATA_DIR: variantDir, ...variantEnv }, 1, (role) => `${role} (${name})`);
    }
  }
  return {
    emulator,
    devServer,
    client,
    apiUrl,
    variantApiUrls,
    serverMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    pids,
    stop: async () => {
      await Promise.all(processes.map((spawned) => spawned.stop()));
      await connection.close();
      await devServer.stop();
      await emulator.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

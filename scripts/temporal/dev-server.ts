/** Starts and stops a real `temporal server start-dev` process. */
import type { AppConfig } from '../../shared/config';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../shared/core/names';
import { isPortInUse, portInUseMessage } from '../../shared/adapters/startup-problem';
import { fitVisibilityIndexes } from './visibility-indexes';

export interface DevServerOptions {
  cliPath: string;
  port: number;
  uiPort: number;
  /** SQLite file that keeps workflows across restarts; undefined keeps them in memory. */
  dbFile?: string;
  namespace: string;
  ip?: string;
  headless?: boolean;
  codecEndpoint?: string;
  startTimeoutMs?: number;
  /** Where the server's own log goes; 'inherit' shows it in the terminal. */
  output?: 'inherit' | 'ignore';
  /** Without DEV_SERVER_DYNAMIC_CONFIG, the SQLite pragmas and the visibility-index fit: the CLI's defaults (the benchmark's "before"). */
  untuned?: boolean;
  /** Serves the server's Prometheus metrics (request counts per operation, task latencies) on this port. */
  metricsPort?: number;
  /** Worker-version drainage status refreshed in seconds, not minutes (tests of a rollout). */
  fastVersionDrainage?: boolean;
  /** More dynamic config, laid over the rest (tests that need a server behaviour sooner, e.g. connection rotation). */
  dynamicConfig?: Record<string, string>;
  /** More SQLite pragmas ("name=value") after DEV_SERVER_SQLITE_PRAGMAS, for a file store (settings measured side by side). */
  sqlitePragmas?: string[];
  /** Laid over this process's environment for the server (e.g. the Go runtime's GOGC, GOMEMLIMIT). */
  env?: NodeJS.ProcessEnv;
  /**
   * In its own process group: a Ctrl-C in the terminal then reaches only the supervisor, which stops the
   * server after the worker has drained (the worker's in-flight tasks still need the server to report).
   */
  processGroup?: boolean;
}

export type DevServerPort = 'frontend' | 'ui' | 'metrics';

/** A port the dev server needs is taken, found before it started or reported by the CLI. */
export class DevServerPortInUseError extends Error {
  constructor(
    readonly which: DevServerPort,
    readonly port: number,
  ) {
    super(`Temporal dev server: ${which} port ${port} is in use`);
    this.name = 'DevServerPortInUseError';
  }
}

/** The CLI's own words when it cannot bind, e.g. "can't set frontend port 7233: … address already in use". */
export function portInUseReportedBy(stderr: string): { which: DevServerPort; port: number } | undefined {
  const match = /can't set (frontend|UI|metrics) port (\d+): [^\n]*address already in use/i.exec(stderr);
  if (!match) return undefined;
  return { which: match[1]!.toLowerCase() as DevServerPort, port: Number(match[2]) };
}

/**
 * The CLI picks some ports itself (the HTTP API, its services' internal ports): it asks the OS for a free
 * one and releases it, and another process can take it before the server binds it. Only such a start is
 * worth another try; a port the caller chose stays the caller's problem (portInUseReportedBy).
 */
export function collidedOnPortItPicked(stderr: string, chosenPorts: (number | undefined)[]): boolean {
  const collided = [...stderr.matchAll(/listen tcp \S*:(\d+): bind: address already in use/g)].map((match) => Number(match[1]));
  return collided.some((port) => !chosenPorts.includes(port));
}

class CliPickedPortTakenError extends Error {}

/** The ports the caller chose, by role; the UI's only when the server serves one. */
const chosenPorts = (options: DevServerOptions): [DevServerPort, number | undefined][] => [
  ['frontend', options.port],
  ['ui', options.headless ? undefined : options.uiPort],
  ['metrics', options.metricsPort],
];

async function assertPortsFree(options: DevServerOptions, ip: string): Promise<void> {
  for (const [which, port] of chosenPorts(options)) {
    if (port !== undefined && (await isPortInUse(ip, port))) throw new DevServerPortInUseError(which, port);
  }
}

/** Dynamic config behind `fastVersionDrainage`: how soon `describe-version` reports an old build drained. */
export const FAST_VERSION_DRAINAGE: Record<string, string> = {
  'matching.wv.VersionDrainageStatusRefreshInterval': '2s',
  'matching.wv.VersionDrainageStatusVisibilityGracePeriod': '2s',
};

export interface RunningDevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Dynamic config the embedded server runs with; each entry was measured with `npm run bench -- compare`
 * (README, "Benchmark"). The same values belong in a production server's dynamic config
 * (deploy/temporal/dynamic-config.yaml).
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, string | number | boolean> = {
  // History loads new transfer tasks (each workflow and activity task on its way to matching) at most
  // 20 times a second per shard by default, and the dev server has one shard: every task waited 30-40 ms
  // before a worker could take it. The one-activity floor went from 150 ms to ~43 ms (p50).
  'history.transferProcessorMaxPollRPS': 10_000,
  // The same limit on the visibility queue: job lists and search attributes follow a change sooner.
  'history.visibilityProcessorMaxPollRPS': 10_000,
  // How often these two queues checkpoint (30s by default); a checkpoint also drops the tasks they finished from
  // memory. Each task read merges into the queue's last slice and walks every task it still holds, so after the
  // first checkpoint the server's CPU per workflow at 50 clients climbed from 16 to 24 ms (12 % of it in that
  // walk, more in the garbage it leaves). Each checkpoint writes the queue's state: one write a second per queue.
  'history.transferProcessorUpdateAckInterval': '1s',
  'history.visibilityProcessorUpdateAckInterval': '1s',
  // One partition per task queue: the per-queue activity rate limit (the providers' RATE_LIMIT) is then
  // enforced in one place instead of split four ways, and a task never waits for a forward between partitions.
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  // An activity on the workflow's own task queue (the local analyzer) starts with the workflow task's reply.
  'system.enableActivityEagerExecution': true,
  // Task priority and fairness (shared/core/scheduling/task-priority.ts): a backlogged queue dispatches by
  // priority key, then shares dispatch between fairness keys (client keys). Both are off by default in
  // server 1.29; fairness implies the priority matcher, which is named too so either can be turned off alone.
  'matching.useNewMatcher': true,
  'matching.enableFairness': true,
  // The CLI turns this on so that search attributes added while it runs are seen at once; it makes every
  // read of the search-attribute map (each search-attribute upsert, start and visibility write) reload it
  // from the store. The project's attributes are registered when the server starts (--search-attribute).
  // Server CPU per job at 50 clients went down by about 2 ms.
  'system.forceSearchAttributesCacheRefreshOnRead': false,
};

/**
 * The Go runtime's settings for the server process, unless this process's environment sets them. GOGC=400
 * collects garbage a quarter as often as Go's default (100), for a heap that may grow to five times the live
 * data instead of twice. `npm run bench -- engine-settings` (README, "Benchmark"), six rounds at 50 clients
 * paired with GOGC=100: the server's CPU per run 17 % lower (in 5 of 6 rounds) for the floor and for
 * `POST /api/analyze?wait`, both 7 % more runs per second, peak RSS 326 → 652 MiB.
 */
export const DEV_SERVER_GO_RUNTIME_ENV: Record<string, string> = { GOGC: '400' };

/** The server process's environment: the runtime settings above under this process's own, then the caller's. */
export function devServerEnv(options: Pick<DevServerOptions, 'untuned' | 'env'>, inherited: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...(options.untuned ? {} : DEV_SERVER_GO_RUNTIME_ENV), ...inherited, ...options.env };
}

/**
 * SQLite settings for the dev server's file: WAL with synchronous=normal survives a process crash
 * (an OS crash may lose the last transactions) and took the file store from 11 to ~30 workflows/s at 50 clients.
 * The busy timeout lets the server wait out the lock while `fitVisibilityIndexes` changes the schema.
 */
export const DEV_SERVER_SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal', 'busy_timeout=10000'];

export function devServerArgs(options: DevServerOptions): string[] {
  const args = [
    'server', 'start-dev',
    '--ip', options.ip ?? '127.0.0.1',
    '--port', String(options.port),
    '--namespace', options.namespace,
    '--log-level', 'warn',
  ];
  if (options.headless) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  const pragmas = [...(options.untuned ? [] : DEV_SERVER_SQLITE_PRAGMAS), ...(options.sqlitePragmas ?? [])];
  if (options.dbFile) for (const pragma of pragmas) args.push('--sqlite-pragma', pragma);
  if (!options.untuned) {
    for (const [key, value] of Object.entries(DEV_SERVER_DYNAMIC_CONFIG)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  if (options.codecEndpoint) args.push('--ui-codec-endpoint', options.codecEndpoint);
  if (options.metricsPort) args.push('--metrics-port', String(options.metricsPort));
  for (const registration of SEARCH_ATTRIBUTE_REGISTRATIONS) args.push('--search-attribute', registration);
  if (options.fastVersionDrainage) {
    for (const [key, value] of Object.entries(FAST_VERSION_DRAINAGE)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  return args;
}

async function waitUntilServing(address: string, namespace: string, deadline: number, exited: () => string | undefined) {
  let lastError: unknown;
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit) throw new Error(`Temporal dev server exited before it was ready: ${exit}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`Temporal dev server at ${address} not ready in time: ${(lastError as Error)?.message}`);
}

/** The custom columns (Keyword01, …) that hold a registered search attribute, in any namespace. */
async function registeredSearchAttributeColumns(address: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const columns: string[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await connection.workflowService.listNamespaces({ pageSize: 100, nextPageToken });
      for (const namespace of page.namespaces) columns.push(...Object.keys(namespace.config?.customSearchAttributeAliases ?? {}));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return columns;
  } finally {
    await connection.close();
  }
}

/** A server that runs with all its indexes is slower, not wrong: a failure here is a warning, not a failed start. */
async function fitVisibilityIndexesOrWarn(dbFile: string, address: string): Promise<void> {
  try {
    fitVisibilityIndexes(dbFile, await registeredSearchAttributeColumns(address));
  } catch (error) {
    console.warn(`Temporal dev server: visibility indexes left as they are (${(error as Error).message})`);
  }
}

const START_ATTEMPTS = 3;

export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServerOnce(options);
    } catch (error) {
      if (!(error instanceof CliPickedPortTakenError) || attempt === START_ATTEMPTS) throw error;
    }
  }
}

async function startDevServerOnce(options: DevServerOptions): Promise<RunningDevServer> {
  if (options.dbFile) fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const ip = options.ip ?? '127.0.0.1';
  const address = `${ip}:${options.port}`;
  // Otherwise the readiness check below could be answered by whatever already listens there.
  await assertPortsFree(options, ip);
  const child = spawn(options.cliPath, devServerArgs(options), {
    env: devServerEnv(options),
    stdio: ['ignore', options.output ?? 'ignore', 'pipe'],
    detached: options.processGroup ?? false,
  });
  let stderrTail = '';
  let exitDescription: string | undefined;
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-2000);
    if (options.output === 'inherit') process.stderr.write(chunk);
  });
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exitDescription = `code ${code} signal ${signal}; stderr: ${stderrTail.trim() || '(empty)'}`;
      resolve();
    });
  });
  child.on('error', (error) => {
    exitDescription = `could not run ${options.cliPath}: ${error.message}`;
  });

  const stop = async () => {
    if (exitDescription === undefined) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killTimer);
    }
  };

  try {
    await waitUntilServing(address, options.namespace, Date.now() + (options.startTimeoutMs ?? 60_000), () => exitDescription);
    if (exitDescription !== undefined) throw new Error(`Temporal dev server exited at start: ${exitDescription}`);
    if (options.dbFile && !options.untuned) await fitVisibilityIndexesOrWarn(options.dbFile, address);
  } catch (error) {
    await stop();
    const taken = portInUseReportedBy(stderrTail);
    if (taken) throw new DevServerPortInUseError(taken.which, taken.port);
    if (collidedOnPortItPicked(stderrTail, chosenPorts(options).map(([, port]) => port))) {
      throw new CliPickedPortTakenError((error as Error).message);
    }
    throw error;
  }
  return { address, uiUrl: `http://${ip}:${options.uiPort}`, process: child, stop };
}

/**
 * Where the Temporal UI (in the operator's browser) reaches the API's codec endpoint: under the UI's
 * token when one is set (the browser cannot send an API key), else the plain endpoint (an open API).
 */
export function codecEndpointOf(config: AppConfig): string {
  const host = config.api.host === '0.0.0.0' || config.api.host === '::' ? '127.0.0.1' : config.api.host;
  const token = config.security.uiCodecToken;
  return `http://${host}:${config.api.port}${token ? `/codec/ui/${token}` : '/codec'}`;
}

/** The variable that moves each port, for the one line `npm start` and `npm run dev-server` print. */
const PORT_VARIABLES: Record<DevServerPort, string> = { frontend: 'TEMPORAL_PORT', ui: 'TEMPORAL_UI_PORT', metrics: 'the metrics port' };

export function devServerPortInUseMessage(error: DevServerPortInUseError, ip = '127.0.0.1'): string {
  const reuse = error.which === 'frontend' ? `or set TEMPORAL_ADDRESS=${ip}:${error.port} to use a Temporal server already running there` : undefined;
  return portInUseMessage('temporal dev server', `${error.which === 'ui' ? 'UI' : error.which} port`, error.port, PORT_VARIABLES[error.which], reuse);
}

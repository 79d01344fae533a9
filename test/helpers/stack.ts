/**
 * The real stack for integration tests: a Temporal dev server on free ports, the workflow bundle built
 * once, a worker and the API in this process. Started on first use and shared by every test file.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOW_PRELOAD_MODULES } from '../../workers/telemetry';
import { createApi } from '../../api/app';
import { JobService } from '../../api/jobs';
import { loadConfig, type AppConfig } from '../../shared/config';
import { startDevServer, type RunningDevServer } from '../../scripts/temporal/dev-server';
import type { DocumentStore } from '../../shared/adapters/documents/document-store';
import { openDocumentStore } from '../../shared/adapters/documents/open-document-store';
import { resolveTemporalCli } from '../../scripts/temporal/temporal-cli';
import { AnalysisCache } from '../../shared/adapters/analysis-cache';
import { ENCRYPTING_FAILURE_CONVERTER_PATH } from '../../shared/adapters/data-converter';
import { ensureDeployment, stopHealthChecks } from '../../shared/adapters/deployment-bootstrap';
import { connectTemporalClient } from '../../shared/adapters/temporal-client';
import { healthCheckScheduleId } from '../../shared/core/operation-mode/messages';
import { createGateStore, type GateStore } from '../../shared/adapters/gate-store';
import { createWorkerSet } from '../../workers/create-worker';
import { freePort } from './ports';

export interface TestStack {
  config: AppConfig;
  /** Environment that reproduces `config` for child processes. */
  env: NodeJS.ProcessEnv;
  cliPath: string;
  devServer: RunningDevServer;
  /** The dev server's Prometheus endpoint (frontend request counts per operation). */
  serverMetricsUrl: string;
  client: Client;
  nativeConnection: NativeConnection;
  documents: DocumentStore;
  workflowBundle: WorkflowBundleWithSourceMap;
  apiUrl: string;
  /** A worker on another task queue, for tests that need to control when work is picked up. */
  startWorker(taskQueue: string): Promise<RunningWorkers>;
  /**
   * Workers (main queue + provider queues) with their own configuration: `env` is laid over the stack's
   * environment; give each caller its own TEMPORAL_TASK_QUEUE so its provider settings stay its own.
   */
  startWorkers(env: NodeJS.ProcessEnv, options?: { healthSchedule?: boolean }): Promise<RunningWorkers>;
}

export interface RunningWorkers {
  config: AppConfig;
  /** The environment these workers were configured from (for spawning more worker processes). */
  env: NodeJS.ProcessEnv;
  jobs: JobService;
  gates: GateStore;
  /** An API process-equivalent (own cache instance) configured like these workers. */
  apiUrl: string;
  stop(): Promise<void>;
}

let stackPromise: Promise<TestStack> | undefined;
const cleanups: (() => Promise<void> | void)[] = [];

// Provider tests fail activities on purpose; the SDK would log each one at WARN.
Runtime.install({ logger: new DefaultLogger('ERROR') });

async function createStack(): Promise<TestStack> {
  const cli = await resolveTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH });
  const port = await freePort();
  const metricsPort = await freePort();
  const devServer = await startDevServer({ cliPath: cli.path, port, uiPort: await freePort(), namespace: 'default', headless: true, metricsPort, fastVersionDrainage: true });
  cleanups.push(() => devServer.stop());

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'analysis-test-'));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: devServer.address,
    TEMPORAL_TASK_QUEUE: 'analysis-test',
    DATA_DIR: dataDir,
    LLM_PROVIDERS: 'local',
    // Every test runs with encrypted payloads, as production should.
    PAYLOAD_ENCRYPTION_KEYS: `test-key:${randomBytes(32).toString('base64')}`,
  };
  const config = loadConfig(env);

  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    failureConverterPath: ENCRYPTING_FAILURE_CONVERTER_PATH,
    preloadModules: WORKFLOW_PRELOAD_MODULES,
    logger: new DefaultLogger('WARN'),
  });
  const nativeConnection = await NativeConnection.connect({ address: devServer.address });
  // The API's own client (over the Rust core), so the in-process APIs meet an outage as the API process does.
  const client = connectTemporalClient(config);
  const documents = await openDocumentStore(config);
  cleanups.push(async () => {
    await documents.close();
    await client.connection.close();
    await nativeConnection.close();
  });

  /** The API app on a free port with its own cache, as a separate API process would have. */
  const listen = async (apiConfig: AppConfig) => {
    const apiCache = AnalysisCache.fromConfig(apiConfig, () => {});
    const apiGates = apiConfig.redisUrl ? createGateStore({ redisUrl: apiConfig.redisUrl }) : undefined;
    const { app, close: closeApi } = createApi({ config: apiConfig, client, documents, cache: apiCache, gates: apiGates, log: () => {} });
    const server: Server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await closeApi();
        await apiCache.close();
        await apiGates?.close();
      },
    };
  };

  const startWorkers = async (overrides: NodeJS.ProcessEnv, options: { healthSchedule?: boolean } = {}): Promise<RunningWorkers> => {
    const workerEnv = { ...env, ...overrides };
    const workerConfig = loadConfig(workerEnv);
    const gates = createGateStore({ redisUrl: workerConfig.redisUrl, });
    const cache = AnalysisCache.fromConfig(workerConfig, () => {});
    const workers = await createWorkerSet({ config: workerConfig, connection: nativeConnection, documents, gates, cache, workflowBundle });
    const running = workers.run();
    await ensureDeployment(client, workerConfig, { healthSchedule: options.healthSchedule ?? false });
    const api = await listen(workerConfig);
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await api.close();
      if (options.healthSchedule) await stopHealthChecks(client, workerConfig.temporal.taskQueue);
      workers.shutdown();
      await running;
      await gates.close();
      await cache.close();
    };
    cleanups.unshift(stop);
    return { config: workerConfig, env: workerEnv, jobs: new JobService(client, workerConfig), gates, apiUrl: api.url, stop };
  };
  const startWorker = (taskQueue: string) => startWorkers({ TEMPORAL_TASK_QUEUE: taskQueue });
  await startWorker(config.temporal.taskQueue);

  const api = await listen(config);
  cleanups.unshift(() => api.close());
  const apiUrl = api.url;

  return { config, env, cliPath: cli.path, devServer, serverMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, client, nativeConnection, documents, workflowBundle, apiUrl, startWorker, startWorkers };
}

export function getTestStack(): Promise<TestStack> {
  stackPromise ??= createStack();
  return stackPromise;
}

export async function stopTestStack(): Promise<void> {
  for (const cleanup of cleanups.splice(0)) {
    try {
      await cleanup();
    } catch (error) {
      console.error('test stack cleanup failed:', error);
    }
  }
}

/**
 * A deployment (workers, a Temporal client and an API) on the test dev server with its own payload keys
 * and task queue: what an operator gets by restarting every process with other PAYLOAD_* settings.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import { createApi } from '../../api/app';
import { AnalysisCache } from '../../shared/adapters/analysis-cache';
import { dataConverterFor } from '../../shared/adapters/data-converter';
import { ensureDeployment } from '../../shared/adapters/deployment-bootstrap';
import { createGateStore } from '../../shared/adapters/gate-store';
import { loadConfig, type AppConfig } from '../../shared/config';
import { createWorkerSet } from '../../workers/create-worker';
import type { TestStack } from './stack';

export interface KeyedDeployment {
  config: AppConfig;
  client: Client;
  apiUrl: string;
  stop(): Promise<void>;
}

export async function startKeyedDeployment(stack: TestStack, env: NodeJS.ProcessEnv): Promise<KeyedDeployment> {
  const config = loadConfig({ ...stack.env, PAYLOAD_ENCRYPTION_KEYS: '', PAYLOAD_DECRYPT_ONLY_KEYS: '', ...env });
  const client = new Client({ connection: stack.client.connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config) });
  const gates = createGateStore({ redisUrl: undefined });
  const cache = AnalysisCache.fromConfig(config, () => {});
  const workers = await createWorkerSet({ config, connection: stack.nativeConnection, documents: stack.documents, gates, cache, workflowBundle: stack.workflowBundle });
  const running = workers.run();
  await ensureDeployment(client, config, { healthSchedule: false });
  const { app, close: closeApi } = createApi({ config, client, documents: stack.documents, cache, log: () => {} });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    config,
    client,
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeApi();
      workers.shutdown();
      await running;
      await gates.close();
      await cache.close();
    },
  };
}

/** `npm run api`: the HTTP API process. */
import type { Server } from 'node:http';
import { AnalysisCache } from '../shared/analysis-cache';
import { loadConfigOrExit } from '../shared/config';
import { ensureDeployment } from '../shared/deployment-bootstrap';
import { openDocumentStore } from '../shared/documents/open-document-store';
import { createGateStore } from '../shared/resilience/gate-store';
import { connectTemporalClient } from '../shared/temporal-client';
import { createApi } from './app';
import { exposureProblem } from './auth';

async function main() {
  const config = loadConfigOrExit();
  const exposure = exposureProblem(config);
  if (exposure) {
    console.error(`api: ${exposure}`);
    process.exit(1);
  }
  const client = await connectTemporalClient(config);
  const documents = await openDocumentStore(config, (message) => console.warn(`api: ${message}`));
  const cache = AnalysisCache.fromConfig(config, (message) => console.warn(`api: cache: ${message}`));
  const gates = config.redisUrl ? createGateStore({ redisUrl: config.redisUrl }) : undefined;
  const { app, close: closeApi } = createApi({ config, client, documents, cache, gates });
  // The mode singleton exists before the first request reads it (workers also ensure it and the schedule).
  await ensureDeployment(client, config, { healthSchedule: false }).catch((error: Error) =>
    console.warn(`api: could not ensure the operation-mode workflow yet: ${error.message}`),
  );
  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(config.api.port, config.api.host, () => resolve(listening));
    listening.on('error', reject);
  });
  // Slow-loris protection: a client gets this long to send its whole request.
  server.requestTimeout = config.security.requestTimeoutMs;
  server.headersTimeout = Math.min(config.security.requestTimeoutMs, 20_000);
  console.log(`api: listening on http://${config.api.host}:${config.api.port}`);
  if (config.security.apiKeys.length + config.security.adminApiKeys.length === 0) {
    console.log('api: no API_KEYS or ADMIN_API_KEYS set: the API is open to anyone who can reach this loopback address');
  }

  const stop = (signal: string) => {
    console.log(`api: ${signal}, closing`);
    server.close(async () => {
      await documents.close();
      await closeApi();
      await cache.close();
      await gates?.close();
      await client.connection.close();
      console.log('api: stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error) => {
  console.error('api: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});

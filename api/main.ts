/** `npm run api`: the HTTP API process. */
import type { Server } from 'node:http';
import { AnalysisCache } from '../shared/adapters/analysis-cache';
import { loadConfigOrExit } from '../shared/config';
import { ensureDeployment } from '../shared/adapters/deployment-bootstrap';
import { openDocumentStore } from '../shared/adapters/documents/open-document-store';
import { createLogger, errorTo } from '../shared/adapters/logging/logger';
import { secretValuesOf } from '../shared/adapters/logging/secrets';
import { createGateStore } from '../shared/adapters/gate-store';
import { isAddressInUse, portInUseMessage, StartupProblem } from '../shared/adapters/startup-problem';
import { connectTemporalClient, installClientRuntime } from '../shared/adapters/temporal-client';
import { pingTemporal, retryUntilReachable, temporalUnreachableMessage } from '../shared/adapters/temporal-reachability';
import { tracingFromConfig } from '../shared/adapters/tracing';
import { createApi } from './app';
import { exposureProblem } from './auth';

const config = loadConfigOrExit();
const log = createLogger({ name: 'api', level: config.logLevel, secrets: secretValuesOf(config) });

async function main() {
  const exposure = exposureProblem(config);
  if (exposure) {
    log.error(exposure);
    process.exit(1);
  }
  const tracing = tracingFromConfig(config, 'llm-analysis-api');
  installClientRuntime(config, log);
  const client = connectTemporalClient(config, tracing?.clientInterceptors);
  const documents = await openDocumentStore(config, (message) => log.warn(message));
  const cache = AnalysisCache.fromConfig(config, (message) => log.warn(`cache: ${message}`));
  const gates = config.redisUrl ? createGateStore({ redisUrl: config.redisUrl }) : undefined;
  const { app, close: closeApi } = createApi({ config, client, documents, cache, gates, log: errorTo(log), logger: log, tracer: tracing?.tracer });
  // The mode singleton exists before the first request reads it (workers also ensure it and the schedule).
  const ensureModeWorkflow = () =>
    ensureDeployment(client, config, { healthSchedule: false }).catch((error: Error) =>
      log.warn(`could not ensure the operation-mode workflow yet: ${error.message}`),
    );
  const temporalAnswered = await pingTemporal(client.connection, 3_000).then(() => true, () => false);
  const unreachable = () => log.warn(temporalUnreachableMessage(config.temporal, 'routes that need Temporal answer 503 until it does (retrying every 2 s)'));
  if (temporalAnswered) await ensureModeWorkflow();
  else unreachable();
  const server = await new Promise<Server>((resolve, reject) => {
    // Express 5 hands a listen error to this callback too.
    const listening = app.listen(config.api.port, config.api.host, (error?: Error) => (error ? reject(error) : resolve(listening)));
  }).catch((error: unknown) => {
    throw isAddressInUse(error) ? new StartupProblem(portInUseMessage('api', 'port', config.api.port, 'PORT')) : error;
  });
  // Slow-loris protection: a client gets this long to send its whole request.
  server.requestTimeout = config.security.requestTimeoutMs;
  server.headersTimeout = Math.min(config.security.requestTimeoutMs, 20_000);
  log.info(`listening on http://${config.api.host}:${config.api.port}`);
  // `npm start` prints its banner only once the API really listens.
  process.send?.({ listening: `http://${config.api.host}:${config.api.port}` });
  if (!temporalAnswered) {
    void retryUntilReachable(() => pingTemporal(client.connection), { onUnreachable: unreachable, alreadyReported: true }).then(async () => {
      log.info(`connected to Temporal at ${config.temporal.address}`);
      await ensureModeWorkflow();
    });
  }
  if (config.security.apiKeys.length + config.security.adminApiKeys.length === 0) {
    log.warn('no API_KEYS or ADMIN_API_KEYS set: the API is open to anyone who can reach this loopback address');
  }

  const stop = (signal: string) => {
    log.info(`${signal}, closing`);
    server.close(async () => {
      await documents.close();
      await closeApi();
      await cache.close();
      await gates?.close();
      await client.connection.close();
      await tracing?.shutdown();
      log.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error) => {
  if (error instanceof StartupProblem) console.error(error.message);
  else log.error({ err: error }, `failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

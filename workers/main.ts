/** `npm run worker`: one worker process; run as many as the load needs. */
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { AnalysisCache } from '../shared/adapters/analysis-cache';
import { loadConfigOrExit } from '../shared/config';
import { ensureDeployment } from '../shared/adapters/deployment-bootstrap';
import { dataConverterFor } from '../shared/adapters/data-converter';
import { openDocumentStore } from '../shared/adapters/documents/open-document-store';
import { createLogger, warnTo } from '../shared/adapters/logging/logger';
import { secretValuesOf } from '../shared/adapters/logging/secrets';
import { createGateStore } from '../shared/adapters/gate-store';
import { StartupProblem } from '../shared/adapters/startup-problem';
import { abortOnStopSignals, retryUntilReachable, temporalUnreachableMessage } from '../shared/adapters/temporal-reachability';
import { tracingFromConfig, WORKFLOW_TRACING_INTERCEPTORS } from '../shared/adapters/tracing';
import { createWorkerSet } from './create-worker';
import { publishWorkerStateMetrics } from './state-metrics';
import { bundleWorkflows, installWorkerRuntime } from './telemetry';

const config = loadConfigOrExit();
const log = createLogger({ name: 'worker', level: config.logLevel, secrets: secretValuesOf(config) });

async function main() {
  installWorkerRuntime(config, log);
  if (config.workerMetrics) log.info(`metrics on http://${config.workerMetrics.host}:${config.workerMetrics.port}/metrics`);
  // Until Temporal answers, a stop signal ends the wait (the SDK's own signal handling starts with the workers).
  const stopWaiting = abortOnStopSignals();
  const connection = await retryUntilReachable(() => NativeConnection.connect({ address: config.temporal.address, grpcCompression: { codec: config.temporal.grpcCompression } }), {
    signal: stopWaiting.signal,
    onUnreachable: () => log.warn(temporalUnreachableMessage(config.temporal, 'waiting for it (retrying every 2 s; Ctrl-C stops)')),
  });
  stopWaiting.release();
  if (!connection) {
    log.info('stopped before Temporal answered');
    process.exit(0);
  }
  // Idempotent, under a lock: a worker starting before the API finds the schema ready or makes it.
  const documents = await openDocumentStore(config, (message) => log.warn(message));
  const gates = createGateStore({ redisUrl: config.redisUrl, log: warnTo(log) });
  const cache = AnalysisCache.fromConfig(config, (message) => log.warn(`cache: ${message}`));
  const stateMetrics = config.workerMetrics && publishWorkerStateMetrics({ config, cache, gates, meter: Runtime.instance().metricMeter, warn: warnTo(log) });
  const tracing = tracingFromConfig(config, 'llm-analysis-worker');
  const workflowBundle = await bundleWorkflows(config, log, tracing ? [WORKFLOW_TRACING_INTERCEPTORS] : []);
  // The SDK's runtime turns SIGINT/SIGTERM into worker.shutdown(): polling stops, in-flight tasks drain, run() resolves.
  const workers = await createWorkerSet({ config, connection, documents, gates, cache, workflowBundle, tracing });
  await ensureDeployment(new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config) }), config, { healthSchedule: true });
  log.info({ taskQueues: workers.taskQueues }, `polling ${workers.taskQueues.map((queue) => `"${queue}"`).join(', ')} on ${config.temporal.address}`);
  await workers.run();
  stateMetrics?.stop();
  await gates.close();
  await cache.close();
  await documents.close();
  await connection.close();
  await tracing?.shutdown();
  log.info('stopped');
}

main().catch((error) => {
  if (error instanceof StartupProblem) console.error(error.message);
  else log.error({ err: error }, `failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

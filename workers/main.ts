/** `npm run worker`: one worker process; run as many as the load needs. */
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { AnalysisCache } from '../shared/analysis-cache';
import { loadConfigOrExit } from '../shared/config';
import { ensureDeployment } from '../shared/deployment-bootstrap';
import { dataConverterFor } from '../shared/data-converter';
import { DocumentStore } from '../shared/document-store';
import { createGateStore } from '../shared/resilience/gate-store';
import { tracingFromConfig } from '../shared/tracing';
import { createWorkerSet } from './create-worker';

async function main() {
  const config = loadConfigOrExit();
  Runtime.install({ logger: new DefaultLogger(config.logLevel.toUpperCase() as LogLevel) });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const documents = DocumentStore.inDataDir(config.dataDir);
  const gates = createGateStore({ redisUrl: config.redisUrl, log: (message) => console.warn(`worker: ${message}`) });
  const cache = AnalysisCache.fromConfig(config, (message) => console.warn(`worker: cache: ${message}`));
  // The SDK's runtime turns SIGINT/SIGTERM into worker.shutdown(): polling stops, in-flight tasks drain, run() resolves.
  const tracing = tracingFromConfig(config, 'llm-analysis-worker');
  const workers = await createWorkerSet({ config, connection, documents, gates, cache, tracing });
  await ensureDeployment(new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config) }), config, { healthSchedule: true });
  console.log(`worker: polling ${workers.taskQueues.map((queue) => `"${queue}"`).join(', ')} on ${config.temporal.address}`);
  await workers.run();
  await gates.close();
  await cache.close();
  documents.close();
  await connection.close();
  await tracing?.shutdown();
  console.log('worker: stopped');
}

main().catch((error) => {
  console.error('worker: failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});

/** `npm run worker`: one worker process; run as many as the load needs. */
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { AnalysisCache } from '../shared/analysis-cache';
import { loadConfigOrExit } from '../shared/config';
import { ensureDeployment } from '../shared/deployment-bootstrap';
import { dataConverterFor } from '../shared/data-converter';
import { openDocumentStore } from '../shared/documents/open-document-store';
import { createGateStore } from '../shared/resilience/gate-store';
import { createWorkerSet } from './create-worker';

async function main() {
  const config = loadConfigOrExit();
  Runtime.install({ logger: new DefaultLogger(config.logLevel.toUpperCase() as LogLevel) });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  // Idempotent, under a lock: a worker starting before the API finds the schema ready or makes it.
  const documents = await openDocumentStore(config, (message) => console.warn(`worker: ${message}`));
  const gates = createGateStore({ redisUrl: config.redisUrl, log: (message) => console.warn(`worker: ${message}`) });
  const cache = AnalysisCache.fromConfig(config, (message) => console.warn(`worker: cache: ${message}`));
  // The SDK's runtime turns SIGINT/SIGTERM into worker.shutdown(): polling stops, in-flight tasks drain, run() resolves.
  const workers = await createWorkerSet({ config, connection, documents, gates, cache });
  await ensureDeployment(new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config) }), config, { healthSchedule: true });
  console.log(`worker: polling ${workers.taskQueues.map((queue) => `"${queue}"`).join(', ')} on ${config.temporal.address}`);
  await workers.run();
  await gates.close();
  await cache.close();
  await documents.close();
  await connection.close();
  console.log('worker: stopped');
}

main().catch((error) => {
  console.error('worker: failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});

/** `npm run worker`: one worker process; run as many as the load needs. */
import { NativeConnection } from '@temporalio/worker';
import { loadConfigOrExit } from '../shared/config';
import { DocumentStore } from '../shared/document-store';
import { createAnalysisWorker } from './create-worker';

async function main() {
  const config = loadConfigOrExit();
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const documents = DocumentStore.inDataDir(config.dataDir);
  // The SDK's runtime turns SIGINT/SIGTERM into worker.shutdown(): polling stops, in-flight tasks drain, run() resolves.
  const worker = await createAnalysisWorker({ config, connection, documents });
  console.log(`worker: polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address}`);
  await worker.run();
  documents.close();
  await connection.close();
  console.log('worker: stopped');
}

main().catch((error) => {
  console.error('worker: failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});

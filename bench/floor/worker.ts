/**
 * A worker process for the floor workflow: `node --import tsx bench/floor/worker.ts` with TEMPORAL_ADDRESS,
 * FLOOR_TASK_QUEUE, ANTHROPIC_BASE_URL; FLOOR_GRPC_COMPRESSION (none, gzip) overrides the SDK default.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createFloorActivities } from './activities';

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({
    address: process.env.TEMPORAL_ADDRESS!,
    ...(process.env.FLOOR_GRPC_COMPRESSION && { grpcCompression: { codec: process.env.FLOOR_GRPC_COMPRESSION as 'none' | 'gzip' } }),
  });
  const worker = await Worker.create({
    connection,
    taskQueue: process.env.FLOOR_TASK_QUEUE ?? 'bench-floor',
    workflowsPath: require.resolve('./workflows'),
    activities: createFloorActivities(process.env.ANTHROPIC_BASE_URL!),
    ...(process.env.FLOOR_WORKER_OPTIONS ? JSON.parse(process.env.FLOOR_WORKER_OPTIONS) : {}),
  });
  console.log('floor worker: ready');
  await worker.run();
  await connection.close();
}

main().catch((error) => {
  console.error('floor worker failed:', error);
  process.exit(1);
});

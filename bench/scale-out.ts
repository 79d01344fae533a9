/**
 * Jobs/s with 1 and 2 worker processes against the same Temporal server, Postgres and Redis (each
 * worker with its own DATA_DIR, as on separate hosts), and every process's RSS idle and after load.
 * Two kinds of work: the CPU-bound local analyzer, and provider calls with 1 s latency (emulator),
 * where each worker's bulkhead (10 concurrent calls) is the limit that a second worker lifts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startProviderEmulator } from '../test/emulator/provider-emulator';
import { providerEnv } from '../test/helpers/provider-workers';
import { stopTestPostgres } from '../test/helpers/postgres';
import { distinctTexts, rssMiB, startScaleOutCluster, submitJobs, type ScaleOutCluster } from '../test/helpers/scale-out';
import type { TestStack } from '../test/helpers/stack';

const JOBS = 200;

const rssLine = (cluster: ScaleOutCluster) =>
  [`api ${rssMiB(cluster.api.child.pid!)}`, ...cluster.workers.map((worker, i) => `worker${i + 1} ${rssMiB(worker.child.pid!)}`)].join(', ') + ' MiB';

async function runJobs(stack: TestStack, cluster: ScaleOutCluster, count: number): Promise<number> {
  const started = performance.now();
  const jobIds = await submitJobs(cluster.apiUrl, distinctTexts(count));
  await Promise.all(jobIds.map((jobId) => stack.client.workflow.getHandle(jobId).result()));
  return count / ((performance.now() - started) / 1000);
}

async function measure(stack: TestStack, label: string, workers: number, env: NodeJS.ProcessEnv): Promise<void> {
  const cluster = await startScaleOutCluster(stack.client, stack.env, { workers, env });
  try {
    await runJobs(stack, cluster, 20); // warm-up: workflow cache, connections, JIT
    await sleep(2_000);
    const idle = rssLine(cluster);
    const jobsPerSecond = await runJobs(stack, cluster, JOBS);
    console.log(`scale-out, ${label}, ${workers} worker process${workers > 1 ? 'es' : ''}: ${JOBS} jobs at ${jobsPerSecond.toFixed(1)} jobs/s`);
    console.log(`  RSS idle: ${idle}`);
    console.log(`  RSS after load: ${rssLine(cluster)}`);
  } finally {
    await cluster.stop();
  }
}

export async function benchScaleOut(stack: TestStack): Promise<void> {
  const emulator = await startProviderEmulator();
  emulator.provider('anthropic').setDefault({ kind: 'ok', delayMs: 1_000 });
  const viaProvider = providerEnv(emulator, { LLM_PROVIDERS: 'anthropic,local', ANTHROPIC_RATE_LIMIT: '1000000', ANTHROPIC_MAX_CONCURRENCY: '10' });
  try {
    for (const workers of [1, 2]) await measure(stack, 'local analyzer', workers, { LLM_PROVIDERS: 'local' });
    for (const workers of [1, 2]) await measure(stack, 'provider calls (1 s latency, bulkhead 10)', workers, viaProvider);
  } finally {
    await emulator.close();
    await stopTestPostgres();
  }
}

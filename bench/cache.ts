/** Cache-hit POST /api/analyze throughput and latency with autocannon: memory tier vs Redis tier. */
import { randomUUID } from 'node:crypto';
import { request } from '../test/helpers/http';
import { startRedis } from '../test/helpers/redis';
import type { TestStack } from '../test/helpers/stack';

// autocannon ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: object) => Promise<{ requests: { average: number }; latency: { p50: number; p99: number; p97_5: number }; non2xx: number; errors: number }>;

async function hammer(name: string, url: string, documentId: string): Promise<void> {
  const result = await autocannon({
    url: `${url}/api/analyze`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ documentId }),
    connections: 16,
    duration: 8,
  });
  console.log(
    `${name.padEnd(60)} ${Math.round(result.requests.average)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx}  errors ${result.errors}`,
  );
}

export async function benchCache(stack: TestStack): Promise<void> {
  const redis = await startRedis();
  const unlimited = { RATE_LIMIT_PER_MINUTE: '100000000', REDIS_URL: redis.url };
  try {
    const memory = await stack.startWorkers({ TEMPORAL_TASK_QUEUE: `bench-memory-${randomUUID()}`, ...unlimited });
    const document = await stack.documents.create({ content: `Cached analysis benchmark ${randomUUID()}. Acme hires forty engineers in Lisbon.` });
    const first = await request(memory.apiUrl, 'POST', '/api/analyze', { json: { documentId: document.id } });
    for (;;) {
      const job = await request(memory.apiUrl, 'GET', `/api/jobs/${first.body.jobId}?wait=5`);
      if (job.body.status === 'completed') break;
    }
    await hammer('cache hit, memory tier (16 connections, 8 s)', memory.apiUrl, document.id);
    // The same entry, read by an API with no memory or disk tier: every hit goes to Redis.
    await memory.stop();
    const redisOnly = await stack.startWorkers({ TEMPORAL_TASK_QUEUE: `bench-redis-${randomUUID()}`, ...unlimited, CACHE_MEMORY_SIZE: '0', CACHE_DISK_ENABLED: 'false' });
    await hammer('cache hit, Redis tier only (16 connections, 8 s)', redisOnly.apiUrl, document.id);
    await redisOnly.stop();
  } finally {
    await redis.stop();
  }
}

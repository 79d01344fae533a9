/**
 * `npm run bench`: figures, printed, never asserted.
 * - the local analyzer on a 5 KB and a 1 MB document;
 * - one analysis job end to end (HTTP POST /api/analyze → Temporal → worker → result), sequential and 8 at a time;
 * - a provider attempt through the activity vs a direct SDK call (providers.ts);
 * - cache-hit POST /api/analyze throughput, memory tier vs Redis tier (cache.ts).
 * - the job path beside its floors: direct SDK call, bare Temporal floor, project job, cache hit (compare.ts).
 * - a cache hit beside /api/health/live on one API process (cache-hit.ts; also part of compare).
 * - budget reservation overhead per provider call, in-process and Redis, beside a Redis PING (reservation.ts).
 * `npm run bench -- providers` (or `cache`, `jobs`, `analyzer`, `compare`, `cache-hit`, `rate-limit`, `reservation`) runs one part;
 * `npm run bench -- engine-settings` (engine-settings.ts) compares candidate dev-server settings and runs only when named.
 */
import { analyzeLocally } from '../shared/core/local-analyzer';
import { request } from '../test/helpers/http';
import { stopAllRedis } from '../test/helpers/redis';
import { getTestStack, stopTestStack } from '../test/helpers/stack';
import { benchCache } from './cache';
import { benchCompare } from './compare';
import { benchRateLimit } from './rate-limit';
import { benchProviders } from './providers';
import { report } from './report';

const PARAGRAPH =
  'Acme Corporation reported strong quarterly growth in Chicago on Tuesday. Chief executive Maria Lopez praised the ' +
  'engineering team, while analysts at Goldman Sachs warned about rising supply costs. The company will open a research ' +
  'centre in Berlin next year and hire two hundred engineers. ';

function timeAnalyzer(bytes: number, runs: number) {
  const text = PARAGRAPH.repeat(Math.ceil(bytes / PARAGRAPH.length)).slice(0, bytes);
  analyzeLocally(text);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    analyzeLocally(text);
    samples.push(performance.now() - started);
  }
  report(`local analyzer, ${Math.round(bytes / 1024)} KB`, samples);
}

async function runJob(apiUrl: string, documentId: string): Promise<number> {
  const started = performance.now();
  const job = await request(apiUrl, 'POST', '/api/analyze', { json: { documentId } });
  for (;;) {
    const status = await request(apiUrl, 'GET', job.body.links.self);
    if (status.body.status === 'completed') return performance.now() - started;
    if (status.body.status === 'failed') throw new Error(JSON.stringify(status.body.error));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A fresh document per job: the same text twice would be answered from the cache. */
let serial = 0;
const freshDocument = async (stack: Awaited<ReturnType<typeof getTestStack>>) =>
  (await stack.documents.create({ content: `${PARAGRAPH.repeat(20)} Edition ${++serial}.` })).id;

async function main() {
  const parts = new Set(process.argv.slice(2));
  const wants = (part: string) => parts.size === 0 || parts.has(part);
  if (wants('analyzer')) {
    timeAnalyzer(5 * 1024, 50);
    timeAnalyzer(1024 * 1024, 5);
  }
  if (wants('compare')) await benchCompare();
  if (wants('cache-hit')) await (await import('./cache-hit')).benchCacheHit();
  if (wants('rate-limit')) await benchRateLimit();
  if (wants('reservation')) await (await import('./reservation')).benchReservation();
  // Not part of the full run: it compares candidate dev-server settings, not the product.
  if (parts.has('engine-settings')) await (await import('./engine-settings')).benchEngineSettings();
  const standalone = ['compare', 'cache-hit', 'rate-limit', 'reservation', 'engine-settings'];
  if ([...parts].every((part) => standalone.includes(part)) && parts.size > 0) return;
  const stack = await getTestStack();
  if (wants('providers')) await benchProviders(stack);
  if (wants('cache')) await benchCache(stack);
  if (wants('jobs')) await benchJobs(stack);
  if (wants('scale-out')) await (await import('./scale-out')).benchScaleOut(stack);
  console.log(`rss: ${Math.round(process.memoryUsage().rss / 1024 / 1024)} MiB (bench process: API + workers + analyzer)`);
  await stopTestStack();
  await stopAllRedis();
}

async function benchJobs(stack: Awaited<ReturnType<typeof getTestStack>>) {
  await runJob(stack.apiUrl, await freshDocument(stack));
  const sequential: number[] = [];
  for (let i = 0; i < 40; i++) sequential.push(await runJob(stack.apiUrl, await freshDocument(stack)));
  report('job end to end (HTTP, 20 ms polling), 1 at a time', sequential);

  const concurrent: number[] = [];
  const started = performance.now();
  for (let round = 0; round < 5; round++) {
    concurrent.push(...(await Promise.all(Array.from({ length: 8 }, async () => runJob(stack.apiUrl, await freshDocument(stack))))));
  }
  report('job end to end, 8 at a time', concurrent);
  console.log(`throughput, 8 at a time: ${((concurrent.length / (performance.now() - started)) * 1000).toFixed(1)} jobs/s`);
}

main().catch(async (error) => {
  console.error(error);
  await stopTestStack();
  process.exit(1);
});

/**
 * `npm run bench`: figures for the first slice, printed, never asserted.
 * - the local analyzer on a 5 KB and a 1 MB document;
 * - one analysis job end to end (HTTP POST /api/analyze → Temporal → worker → result), sequential and 8 at a time.
 */
import { analyzeLocally } from '../shared/local-analyzer';
import { request } from '../test/helpers/http';
import { getTestStack, stopTestStack } from '../test/helpers/stack';

const PARAGRAPH =
  'Acme Corporation reported strong quarterly growth in Chicago on Tuesday. Chief executive Maria Lopez praised the ' +
  'engineering team, while analysts at Goldman Sachs warned about rising supply costs. The company will open a research ' +
  'centre in Berlin next year and hire two hundred engineers. ';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function report(name: string, samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
  console.log(`${name.padEnd(52)} n=${sorted.length}  p50 ${fmt(percentile(sorted, 50))}  p95 ${fmt(percentile(sorted, 95))}  p99 ${fmt(percentile(sorted, 99))}`);
}

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

async function main() {
  timeAnalyzer(5 * 1024, 50);
  timeAnalyzer(1024 * 1024, 5);

  const stack = await getTestStack();
  const document = stack.documents.create({ content: PARAGRAPH.repeat(20) });
  await runJob(stack.apiUrl, document.id);
  const sequential: number[] = [];
  for (let i = 0; i < 40; i++) sequential.push(await runJob(stack.apiUrl, document.id));
  report('job end to end (HTTP, 20 ms polling), 1 at a time', sequential);

  const concurrent: number[] = [];
  const started = performance.now();
  for (let round = 0; round < 5; round++) {
    concurrent.push(...(await Promise.all(Array.from({ length: 8 }, () => runJob(stack.apiUrl, document.id)))));
  }
  report('job end to end, 8 at a time', concurrent);
  console.log(`throughput, 8 at a time: ${((concurrent.length / (performance.now() - started)) * 1000).toFixed(1)} jobs/s`);
  console.log(`rss: ${Math.round(process.memoryUsage().rss / 1024 / 1024)} MiB (bench process: API + worker + analyzer)`);
  await stopTestStack();
}

main().catch(async (error) => {
  console.error(error);
  await stopTestStack();
  process.exit(1);
});

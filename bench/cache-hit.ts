/**
 * `npm run bench -- cache-hit`: a cache-hit `POST /api/analyze` beside `GET /api/health/live` on the
 * same API process, started as `bench -- compare` starts it, 50 connections each, alternated round by
 * round so load drift on a shared machine falls on both. Prints req/s, p99 and the ratio; asserts nothing.
 * BENCH_ROUNDS (default 7) and BENCH_SECONDS (default 3 per path per round, after 2 s of warm-up each) lengthen or shorten it;
 * BENCH_CPU_PROFILE_DIR writes the API process's V8 CPU profile there when it stops.
 */
import { cpuMillisOf } from './compare/cpu';
import { postJson } from './compare/paths';
import { cpuProfileEnv, startCompareStack } from './compare/stack';

// autocannon ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: object) => Promise<{ requests: { average: number; total: number }; latency: { p99: number }; non2xx: number; errors: number }>;

const CONNECTIONS = 50;

export interface CacheHitFigures {
  hit: number;
  live: number;
  hitP99: number;
  liveP99: number;
  /** Median of each round's hit/live ratio: the two runs of a round are back to back, so drift cancels best there. */
  ratio: number;
  /** The API process's CPU per request (µs), median over the rounds, when its pid is known: steadier than req/s on a shared machine. */
  cpu?: { hit: number; live: number };
  /** Answers other than the cached 200, over all rounds: any makes the figures meaningless. */
  hitFailures: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Analyzes `content` once through a job, so the next identical request is a hit. */
async function warmCache(apiUrl: string, content: string): Promise<void> {
  const started = await postJson(`${apiUrl}/api/analyze`, { content });
  let job = started.body as { jobId?: string; status?: string; version?: string };
  // A long-poll returns on any change of the job, so it is repeated until the job is done.
  while (job.jobId && job.status !== 'completed' && job.status !== 'failed') {
    job = (await (await fetch(`${apiUrl}/api/jobs/${job.jobId}?wait=30&since=${job.version}`)).json()) as typeof job;
  }
  const again = await postJson(`${apiUrl}/api/analyze`, { content });
  if (again.status !== 200) throw new Error(`the second POST /api/analyze was not a cache hit: ${again.status} ${JSON.stringify(again.body)}`);
}

const hitRequest = (apiUrl: string, content: string) => ({ url: `${apiUrl}/api/analyze`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content }) });

/** Medians over `rounds` alternating runs of each path. */
export async function cacheHitVersusLive(apiUrl: string, rounds: number, seconds: number, apiPid?: number): Promise<CacheHitFigures> {
  const content = `Cache-hit benchmark text. Acme hires forty engineers in Lisbon. ${Date.now()}`;
  await warmCache(apiUrl, content);
  const cpuOf = { hit: [] as number[], live: [] as number[] };
  const hammer = async (options: object, cpu?: number[]) => {
    const before = apiPid === undefined ? undefined : cpuMillisOf(apiPid);
    const result = await autocannon({ connections: CONNECTIONS, duration: seconds, ...options });
    const after = apiPid === undefined ? undefined : cpuMillisOf(apiPid);
    if (cpu && before !== undefined && after !== undefined && result.requests.total > 0) cpu.push(((after - before) * 1000) / result.requests.total);
    return result;
  };
  const hit = { rate: [] as number[], p99: [] as number[] };
  const live = { rate: [] as number[], p99: [] as number[] };
  let hitFailures = 0;
  // Warm-up, not counted: the first seconds of either path run code V8 has not optimized yet.
  await hammer({ ...hitRequest(apiUrl, content), duration: 2 });
  await hammer({ url: `${apiUrl}/api/health/live`, duration: 2 });
  const runHit = () => hammer(hitRequest(apiUrl, content), cpuOf.hit);
  const runLive = () => hammer({ url: `${apiUrl}/api/health/live` }, cpuOf.live);
  for (let round = 0; round < rounds; round++) {
    // Which path goes first alternates, so neither always runs on the heels of the other's load.
    const earlierLive = round % 2 === 1 ? await runLive() : undefined;
    const hitRun = await runHit();
    const liveRun = earlierLive ?? (await runLive());
    hitFailures += hitRun.non2xx + hitRun.errors;
    hit.rate.push(hitRun.requests.average);
    hit.p99.push(hitRun.latency.p99);
    live.rate.push(liveRun.requests.average);
    live.p99.push(liveRun.latency.p99);
    console.log(`  round ${round + 1}: hit ${hitRun.requests.average.toFixed(0)} req/s, live ${liveRun.requests.average.toFixed(0)} req/s (${((hitRun.requests.average / liveRun.requests.average) * 100).toFixed(0)} %)`);
  }
  const ratios = hit.rate.map((rate, round) => rate / live.rate[round]!);
  const cpu = cpuOf.hit.length > 0 && cpuOf.live.length > 0 ? { hit: median(cpuOf.hit), live: median(cpuOf.live) } : undefined;
  return { hit: median(hit.rate), live: median(live.rate), hitP99: median(hit.p99), liveP99: median(live.p99), ratio: median(ratios), hitFailures, ...(cpu && { cpu }) };
}

export function describeCacheHit(figures: CacheHitFigures): string {
  const failures = figures.hitFailures > 0 ? ` (${figures.hitFailures} hit requests failed)` : '';
  return (
    `cache hit POST /api/analyze ${figures.hit.toFixed(0)} req/s (p99 ${figures.hitP99} ms) vs /api/health/live ` +
    `${figures.live.toFixed(0)} req/s (p99 ${figures.liveP99} ms): ${(figures.ratio * 100).toFixed(0)} % by the median of the paired rounds' ` +
    `ratios (${((figures.hit / figures.live) * 100).toFixed(0)} % between the medians of each path)${failures}` +
    (figures.cpu
      ? `\nAPI CPU per request: hit ${figures.cpu.hit.toFixed(0)} µs, live ${figures.cpu.live.toFixed(0)} µs (live/hit ${((figures.cpu.live / figures.cpu.hit) * 100).toFixed(0)} %)`
      : '')
  );
}

export async function benchCacheHit(): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
  const seconds = Number(process.env.BENCH_SECONDS ?? 3);
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
  console.log(`cache-hit: ${rounds} rounds of ${seconds} s per path, ${CONNECTIONS} connections, one API process`);
  const stack = await startCompareStack({ ...(profileDir && { apiEnv: cpuProfileEnv(profileDir) }) });
  try {
    console.log(describeCacheHit(await cacheHitVersusLive(stack.apiUrl, rounds, seconds, stack.pids.api)));
  } finally {
    await stack.stop();
  }
}

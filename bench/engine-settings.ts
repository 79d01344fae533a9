/**
 * `npm run bench -- engine-settings`: the same paths on dev servers that differ in one setting each. Every
 * server gets what `compare` starts (a floor worker, the project's worker and API, an emulator at 0 ms);
 * rounds at 50 clients alternate between the servers in mirrored order, so what drifts on a shared machine
 * weighs on each alike. Two paths per server: the bare floor (one workflow + one activity) and the project's
 * `POST /api/analyze?wait=30`. Prints medians over the rounds of completed/s and the server's CPU per run
 * (steadier than completed/s under the machine's other load), each variant paired round by round with the
 * first, and the server's peak RSS. Asserts nothing.
 * BENCH_ENGINE_VARIANTS: JSON `{name: {env?, sqlitePragmas?, dynamicConfig?}}` laid over the project's
 * settings (default: the project's settings beside Go's default collector), e.g.
 * `{"page cache": {"sqlitePragmas": ["cache_size=-65536"]}}`; BENCH_ROUNDS (6), BENCH_SECONDS (6).
 */
import type { DevServerOptions } from '../scripts/temporal/dev-server';
import { rssMiB } from '../test/helpers/scale-out';
import { cpuMillisOf } from './compare/cpu';
import { closedLoop } from './compare/measure';
import { projectJobInOneRequest, temporalFloor, type RunOnce } from './compare/paths';
import { startCompareStack, type CompareStack } from './compare/stack';

type EngineVariant = Pick<DevServerOptions, 'env' | 'sqlitePragmas' | 'dynamicConfig'>;

const DEFAULT_VARIANTS: Record<string, EngineVariant> = {
  "the project's settings (GOGC=400)": {},
  "Go's default collector (GOGC=100)": { env: { GOGC: '100' } },
};

const CLIENTS = 50;
const WARMUP_SECONDS = 10;
const PATHS: Record<string, (stack: CompareStack) => RunOnce> = {
  floor: (stack) => temporalFloor(stack.client),
  'POST ?wait': (stack) => projectJobInOneRequest(stack.apiUrl),
};

/** The process's peak resident memory, where /proc has it. */
function peakRss(pid: number | undefined): string {
  try {
    return `${rssMiB(pid!, 'VmHWM').toFixed(0)} MiB`;
  } catch {
    return '?';
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Series {
  rate: number[];
  serverCpu: number[];
  errors: number;
}

export async function benchEngineSettings(): Promise<void> {
  const variants = process.env.BENCH_ENGINE_VARIANTS ? (JSON.parse(process.env.BENCH_ENGINE_VARIANTS) as Record<string, EngineVariant>) : DEFAULT_VARIANTS;
  const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
  const seconds = Number(process.env.BENCH_SECONDS ?? 6);
  const names = Object.keys(variants);
  console.log(`engine-settings: ${names.length} dev servers, ${rounds} rounds of ${seconds} s per path and server at ${CLIENTS} clients`);
  const stacks = new Map<string, CompareStack>();
  try {
    for (const name of names) stacks.set(name, await startCompareStack({ devServer: variants[name] }));
    for (const stack of stacks.values()) for (const path of Object.values(PATHS)) await closedLoop(path(stack), CLIENTS, WARMUP_SECONDS);
    const series = new Map<string, Series>();
    const seriesOf = (name: string, path: string) => series.get(`${name}\u0000${path}`) ?? series.set(`${name}\u0000${path}`, { rate: [], serverCpu: [], errors: 0 }).get(`${name}\u0000${path}`)!;
    for (let round = 0; round < rounds; round++) {
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        const stack = stacks.get(name)!;
        for (const [path, runOnce] of Object.entries(PATHS)) {
          const before = cpuMillisOf(stack.pids.temporal!)!;
          const load = await closedLoop(runOnce(stack), CLIENTS, seconds);
          const of = seriesOf(name, path);
          of.rate.push(load.completedPerSecond);
          of.serverCpu.push((cpuMillisOf(stack.pids.temporal!)! - before) / Math.max(1, load.completed));
          of.errors += load.errors;
        }
      }
      console.log(`  round ${round + 1}: ${names.map((name) => `${name}: ${Object.keys(PATHS).map((path) => `${path} ${seriesOf(name, path).rate.at(-1)!.toFixed(1)}/s`).join(', ')}`).join('; ')}`);
    }
    const [reference] = names;
    console.log('| dev server | path | completed/s | server CPU per run | paired with the first: server CPU, completed/s | errors | server peak RSS |');
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const name of names) {
      for (const path of Object.keys(PATHS)) {
        const of = seriesOf(name, path);
        const first = seriesOf(reference!, path);
        const cpuRatios = of.serverCpu.map((cpu, round) => cpu / first.serverCpu[round]!);
        const rateRatios = of.rate.map((rate, round) => rate / first.rate[round]!);
        const paired = name === reference ? '' : `×${median(cpuRatios).toFixed(2)} (lower in ${cpuRatios.filter((ratio) => ratio < 1).length} of ${rounds}), ×${median(rateRatios).toFixed(2)}`;
        console.log(`| ${name} | ${path} | ${median(of.rate).toFixed(1)} | ${median(of.serverCpu).toFixed(1)} ms | ${paired} | ${of.errors} | ${peakRss(stacks.get(name)!.pids.temporal)} |`);
      }
    }
  } finally {
    for (const stack of stacks.values()) await stack.stop();
  }
}

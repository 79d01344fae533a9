/** Measurements for the comparison: interleaved sequential runs, a closed loop of clients, histories, server requests. */
import type { Client } from '@temporalio/client';
import { expiredPollCountsIn, frontendRequestCountsIn, requestsBetween } from '../../test/helpers/server-metrics';
import { percentile } from '../report';
import type { RunOnce } from './paths';

export interface Latencies {
  p50: number;
  p95: number;
  p99: number;
}

export function latenciesOf(samples: number[]): Latencies {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}

/** Round-robin over the paths, so load drift on a shared machine falls on all of them alike. */
export async function interleavedSequential(paths: Record<string, RunOnce>, rounds: number) {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(paths).map((name) => [name, []]));
  const workflowIds: Record<string, string[]> = Object.fromEntries(Object.keys(paths).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(paths)) {
      const started = performance.now();
      const workflowId = await run();
      samples[name]!.push(performance.now() - started);
      if (workflowId) workflowIds[name]!.push(workflowId);
    }
  }
  return { samples, workflowIds };
}

export interface LoadFigures {
  completed: number;
  completedPerSecond: number;
  errors: number;
  latency: Latencies;
  /** Each completed operation's milliseconds. */
  samples: number[];
  seconds: number;
}

/** `clients` loops, each starting its next operation when the last one ends, for `seconds`. */
export async function closedLoop(run: RunOnce, clients: number, seconds: number): Promise<LoadFigures> {
  const samples: number[] = [];
  let errors = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const began = performance.now();
        try {
          await run();
          samples.push(performance.now() - began);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { completed: samples.length, completedPerSecond: samples.length / elapsed, errors, latency: latenciesOf(samples), samples, seconds: elapsed };
}

/**
 * Each path under `clients` loops for `seconds` in all, in two halves run in mirrored order (A B C, then
 * C B A), so that what drifts during the run (the server's store grows, the machine's other load) weighs
 * on every path alike. `measure` wraps each half (e.g. CPU accounting) and gets its completed count.
 */
export async function mirroredLoad<T>(
  paths: Record<string, RunOnce>,
  clients: number,
  seconds: number,
  measure: (name: string, half: () => Promise<LoadFigures>) => Promise<T>,
): Promise<{ load: Record<string, LoadFigures>; measured: Record<string, T[]> }> {
  const names = Object.keys(paths);
  const halves: Record<string, LoadFigures[]> = {};
  const measured: Record<string, T[]> = {};
  for (const order of [names, [...names].reverse()]) {
    for (const name of order) {
      let figures: LoadFigures | undefined;
      const result = await measure(name, async () => (figures = await closedLoop(paths[name]!, clients, seconds / 2)));
      (halves[name] ??= []).push(figures!);
      (measured[name] ??= []).push(result);
    }
  }
  const load = Object.fromEntries(
    Object.entries(halves).map(([name, parts]) => {
      const samples = parts.flatMap((part) => part.samples);
      const elapsed = parts.reduce((sum, part) => sum + part.seconds, 0);
      const errors = parts.reduce((sum, part) => sum + part.errors, 0);
      return [name, { completed: samples.length, completedPerSecond: samples.length / elapsed, errors, latency: latenciesOf(samples), samples, seconds: elapsed }];
    }),
  );
  return { load, measured };
}

/** Start-to-close time of each run as the server recorded it (first event to last). */
export async function engineTimes(client: Client, workflowIds: string[]): Promise<number[]> {
  const times: number[] = [];
  for (const workflowId of workflowIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    const millis = (index: number) => {
      const time = events[index]!.eventTime!;
      return Number(time.seconds) * 1000 + (time.nanos ?? 0) / 1e6;
    };
    times.push(millis(events.length - 1) - millis(0));
  }
  return times;
}

export interface RequestsPerRun {
  /** Frontend requests per run, by operation, less the polls that expired empty. */
  perRun: Record<string, number>;
  /** Idle task-queue polls that expired empty in the same window, per run (a burst about once a minute). */
  expiredPollsPerRun: number;
}

/** Frontend requests per run of `run`, by operation; the server publishes its counters about once a second. */
export async function frontendRequestsPerRun(metricsUrl: string, run: RunOnce, runs: number): Promise<RequestsPerRun> {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 2_500));
  const reading = async () => {
    const page = await (await fetch(metricsUrl)).text();
    return { requests: frontendRequestCountsIn(page), expired: expiredPollCountsIn(page) };
  };
  await settle();
  const before = await reading();
  for (let i = 0; i < runs; i++) await run();
  await settle();
  const after = await reading();
  const delta = requestsBetween(before.requests, after.requests);
  const expired = requestsBetween(before.expired, after.expired);
  for (const [operation, count] of Object.entries(expired)) delta[operation] = Math.max(0, (delta[operation] ?? 0) - count);
  const perRun = Object.fromEntries(Object.entries(delta).filter(([, count]) => count > 0).map(([operation, count]) => [operation, count / runs]));
  return { perRun, expiredPollsPerRun: Object.values(expired).reduce((sum, count) => sum + count, 0) / runs };
}

/**
 * One fault scenario: a load of distinct analyses through the API while a fault is injected, then the
 * outcome checked job by job and summed up in one row of the suite's table. Assertions are about
 * outcomes only (completed, right, lost, duplicated, status codes); times are printed, never asserted.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { analyzeLocally } from '../../shared/core/local-analyzer';
import { documentAnswer } from '../emulator/provider-emulator';
import type { Deployment } from '../helpers/deployment';
import { brokenPromises, duplicateCalls, latenciesBetween, percentile, tableRow, type DuplicateCalls, type FaultWindow, type ScenarioRow } from '../helpers/fault-figures';
import { ResilientClient, type JobOutcome } from '../helpers/resilient-client';
import { distinctTexts } from '../helpers/scale-out';
import type { Proxy, Toxic } from '../helpers/toxiproxy';
import { recordRow } from './suite';

export interface InjectedFault {
  /** When the fault was active: provider calls open then may legitimately be repeated. */
  windows: FaultWindow[];
  /** When the repair began (process relaunched, toxic removed); recovery is measured from here. */
  repairedAt?: number;
}

export interface FaultContext {
  deployment: Deployment;
  /** Resolves once the provider has received `count` requests since the scenario began. */
  providerRequests(count: number): Promise<void>;
}

export interface ScenarioOptions {
  name: string;
  jobs: number;
  /** Analyses submitted at once (default: all of them, at most 50). */
  concurrency?: number;
  /** Spreads the submissions: the i-th is not sent before i × paceMs (a steady stream instead of a burst). */
  paceMs?: number;
  /** How long the emulated provider takes to answer. */
  providerDelayMs?: number;
  /** Jobs still open this long after the load began count as lost. */
  deadlineMs?: number;
  /** Runs alongside the load. */
  inject?(context: FaultContext): Promise<InjectedFault>;
}

export interface ScenarioResult {
  row: ScenarioRow;
  outcomes: JobOutcome[];
  calls: DuplicateCalls;
}

const PROBE_INTERVAL_MS = 1_000;
const READ_INTERVAL_MS = 200;

/** Runs `task` over `items`, `concurrency` at a time. */
async function inLanes<T, R>(items: T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

/** The content the job should have answered: the emulator's answer for its document, or the local analyzer's after a fallback. */
function wrongResult(outcome: JobOutcome): string | undefined {
  if (outcome.status !== 'completed') return undefined;
  if (!outcome.result) return 'completed without a result';
  const { meta, ...content } = outcome.result;
  const expected = meta.provider === 'anthropic' ? documentAnswer(outcome.content) : meta.provider === 'local' ? analyzeLocally(outcome.content) : undefined;
  if (!expected) return `answered by an unexpected provider ${meta.provider}`;
  try {
    assert.deepEqual(content, expected);
    return undefined;
  } catch {
    return `a result that is not ${meta.provider}'s answer for this document`;
  }
}

export async function runScenario(deployment: Deployment, options: ScenarioOptions): Promise<ScenarioResult> {
  const provider = deployment.emulator.provider('anthropic');
  provider.setDefault({ kind: 'per-document', delayMs: options.providerDelayMs ?? 200 });
  const tag = randomUUID().slice(0, 8);
  const texts = distinctTexts(options.jobs, tag);
  const client = new ResilientClient(deployment.apiUrl);
  const startedAt = Date.now();
  const deadline = startedAt + (options.deadlineMs ?? 180_000);
  const requestsBefore = provider.requests;

  const accepted: string[] = [];
  const runJob = async (content: string) => {
    const submitted = await client.submit(content, deadline);
    if (submitted.jobId) accepted.push(submitted.jobId);
    return client.settle(submitted, deadline);
  };

  // Probes (a fresh job every second) measure recovery; reads of known jobs sample the API's latency.
  let loadDone = false;
  const probes: Promise<JobOutcome>[] = [];
  const probing = (async () => {
    for (let i = 0; !loadDone; i++) {
      probes.push(runJob(`Probe ${tag}-${i}: a short note about the health of the service, written in Berlin.`));
      await sleep(PROBE_INTERVAL_MS);
    }
  })();
  const reading = (async () => {
    while (!loadDone) {
      const jobId = accepted[Math.floor(Math.random() * accepted.length)];
      if (jobId) await client.read(jobId);
      await sleep(READ_INTERVAL_MS);
    }
  })();

  // Once repaired, one more probe at once, so recovery is measured even when the load ended first.
  const fault = options.inject?.({
    deployment,
    providerRequests: async (count) => {
      await provider.waitForRequests(requestsBefore + count, Math.max(1, deadline - Date.now()));
    },
  }).then((injected) => {
    probes.push(runJob(`Probe ${tag}-repaired: the first note after the repair, written in Lisbon.`));
    return injected;
  });
  const paced = async (content: string) => {
    const index = texts.indexOf(content);
    await sleep(Math.max(0, startedAt + index * (options.paceMs ?? 0) - Date.now()));
    return runJob(content);
  };
  const [outcomesOfLoad, injected] = await Promise.all([inLanes(texts, options.concurrency ?? Math.min(options.jobs, 50), paced), fault]);
  loadDone = true;
  await Promise.all([probing, reading]);
  const settled = [...outcomesOfLoad, ...(await Promise.all(probes))];
  const outcomes = await inLanes(settled, 20, (outcome) => client.withChain(outcome, deadline));
  const finishedAt = Date.now();

  const windows = injected?.windows ?? [];
  const attemptsRecorded = new Map(outcomes.map((outcome) => [outcome.content, outcome.attemptsByProvider?.anthropic ?? 0]));
  const calls = duplicateCalls(provider.requestLog, attemptsRecorded, windows);
  const broken = brokenPromises(client.exchanges);
  const repairedAt = injected?.repairedAt;
  const firstProbeAfterRepair = repairedAt === undefined
    ? undefined
    : outcomes.filter((outcome) => outcome.status === 'completed' && outcome.submittedAt >= repairedAt && outcome.doneAt !== undefined).map((outcome) => outcome.doneAt!).sort((a, b) => a - b)[0];
  const recoveryMs = repairedAt !== undefined && firstProbeAfterRepair !== undefined ? firstProbeAfterRepair - repairedAt : undefined;
  const degradedFrom = windows.length > 0 ? Math.min(...windows.map((window) => window.from)) : startedAt;
  const degradedTo = firstProbeAfterRepair ?? (windows.length > 0 ? Math.max(...windows.map((window) => window.to)) : finishedAt);

  const row: ScenarioRow = {
    scenario: options.name,
    jobs: outcomes.length,
    completed: outcomes.filter((outcome) => outcome.status === 'completed' && !wrongResult(outcome)).length,
    lost: outcomes.filter((outcome) => outcome.status === 'lost').length,
    fallbacks: outcomes.filter((outcome) => outcome.result?.meta.provider === 'local').length,
    providerCalls: calls.calls,
    duplicates: calls.duplicates,
    duplicatesOutsideFaults: calls.outsideFaults,
    exposed: calls.exposed,
    unavailable503: client.exchanges.filter((exchange) => exchange.status === 503 && exchange.retryAfter).length,
    other5xx: broken.length,
    hung: client.exchanges.filter((exchange) => exchange.error === 'timeout').length,
    recoveryMs,
    p99Ms: percentile(latenciesBetween(client.exchanges, degradedFrom, degradedTo), 99),
  };
  recordRow(row);
  console.log(`      ${tableRow(row)}`);

  const notCompleted = outcomes.filter((outcome) => outcome.status !== 'completed').map((outcome) => `${outcome.jobId ?? '(never accepted)'}: ${outcome.status}`);
  assert.deepEqual(notCompleted, [], 'every submitted analysis completes');
  const wrong = outcomes.map((outcome) => ({ jobId: outcome.jobId, problem: wrongResult(outcome) })).filter((entry) => entry.problem);
  assert.deepEqual(wrong, [], 'every result is the right one for its document');
  assert.deepEqual(calls.unexplained, [], 'no document is answered by the provider more often than its job recorded attempts (a repeated call only after a failed attempt)');
  assert.deepEqual(
    broken.map((exchange) => `${exchange.method} ${exchange.path} → ${exchange.status}`),
    [],
    'no 5xx other than 503 with Retry-After',
  );
  return { row, outcomes, calls };
}

/** A fault injection that degrades `link` with `toxic` for `holdMs`, once the provider has seen `afterRequests` requests. */
export function degradeLink(link: Proxy, toxic: Toxic, holdMs: number, afterRequests = 10): NonNullable<ScenarioOptions['inject']> {
  return async ({ providerRequests }) => {
    await providerRequests(afterRequests);
    const from = Date.now();
    const remove = await link.degrade(toxic);
    await sleep(holdMs);
    const repairedAt = Date.now();
    await remove();
    return { windows: [{ from, to: Date.now() }], repairedAt };
  };
}

/**
 * What a fault scenario measured, computed from what the client and the provider emulator recorded:
 * duplicate provider calls per document, status codes that break the promise, latency percentiles,
 * and the suite's table.
 */
import type { RequestRecord } from '../emulator/provider-emulator';
import type { Exchange } from './resilient-client';

/** A span of time during which a fault was active (a kill is a window of zero length). */
export interface FaultWindow {
  from: number;
  to: number;
}

export interface DuplicateCalls {
  /** Provider requests for these documents, whatever their outcome. */
  calls: number;
  /** Requests open while a fault was active. */
  exposed: number;
  /** Answers the provider gave for a document it had already answered. */
  duplicates: number;
  /** Of those, answers whose earlier answer began after every fault had ended (attempts timed out on a starved machine). */
  outsideFaults: number;
  /** Duplicates no failed attempt accounts for: the service called again although it had the answer. */
  unexplained: { document: string; answered: number; attemptsRecorded: number; models: (string | undefined)[] }[];
}

const openDuring = (record: RequestRecord, window: FaultWindow) => record.at <= window.to && (record.closedAt ?? Infinity) >= window.from;

/**
 * Per document: a provider answer (a 200 the emulator finished writing) beyond the first is a duplicate.
 * It is accounted for when the job recorded an attempt for every answer (`attemptsRecorded`: the provider
 * step's attempts in its chain): the earlier answer never reached the job, because its attempt failed
 * (a killed worker, an answer black-holed on its way back, a completion a stopped Temporal server never
 * recorded, an attempt that timed out). More answers than recorded attempts is a defect: the same job
 * run twice, or a second job for the same request.
 */
export function duplicateCalls(log: readonly RequestRecord[], attemptsRecorded: ReadonlyMap<string, number>, windows: FaultWindow[]): DuplicateCalls {
  const ours = log.filter((record) => record.document !== undefined && attemptsRecorded.has(record.document));
  const faultEnded = Math.max(-Infinity, ...windows.map((window) => window.to));
  const answersByDocument = new Map<string, RequestRecord[]>();
  for (const record of ours) {
    if (!record.finished || record.fault !== 'per-document') continue;
    answersByDocument.set(record.document!, [...(answersByDocument.get(record.document!) ?? []), record]);
  }
  let duplicates = 0;
  let outsideFaults = 0;
  const unexplained: DuplicateCalls['unexplained'] = [];
  for (const [document, answers] of answersByDocument) {
    if (answers.length <= 1) continue;
    duplicates += answers.length - 1;
    outsideFaults += answers.slice(0, -1).filter((answer) => answer.at > faultEnded).length;
    const attempts = attemptsRecorded.get(document) ?? 0;
    if (answers.length > attempts) unexplained.push({ document, answered: answers.length, attemptsRecorded: attempts, models: answers.map((answer) => answer.model) });
  }
  const exposed = ours.filter((record) => windows.some((window) => openDuring(record, window))).length;
  return { calls: ours.length, exposed, duplicates, outsideFaults, unexplained };
}

/** 5xx answers other than a 503 carrying Retry-After. */
export function brokenPromises(exchanges: readonly Exchange[]): Exchange[] {
  return exchanges.filter((exchange) => exchange.status !== undefined && exchange.status >= 500 && !(exchange.status === 503 && exchange.retryAfter));
}

/** Nearest-rank percentile; undefined for no samples. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Latencies of the answered, non-long-poll requests started inside [from, to]. */
export function latenciesBetween(exchanges: readonly Exchange[], from: number, to: number): number[] {
  return exchanges.filter((exchange) => !exchange.longPoll && exchange.status !== undefined && exchange.startedAt >= from && exchange.startedAt <= to).map((exchange) => exchange.ms);
}

export interface ScenarioRow {
  scenario: string;
  jobs: number;
  completed: number;
  lost: number;
  /** Answered by the local analyzer after the provider failed (a right result, but not the provider's). */
  fallbacks: number;
  providerCalls: number;
  duplicates: number;
  /** Duplicates whose earlier answer began after the fault (attempt timeouts on a starved machine). */
  duplicatesOutsideFaults: number;
  /** Provider calls in flight during a fault. */
  exposed: number;
  unavailable503: number;
  other5xx: number;
  /** Requests the client gave up waiting for. */
  hung: number;
  recoveryMs: number | undefined;
  p99Ms: number | undefined;
}

const COLUMNS: [string, (row: ScenarioRow) => string][] = [
  ['scenario', (row) => row.scenario],
  ['jobs', (row) => String(row.jobs)],
  ['completed', (row) => String(row.completed)],
  ['lost', (row) => String(row.lost)],
  ['local fallback', (row) => String(row.fallbacks)],
  ['provider calls', (row) => String(row.providerCalls)],
  ['duplicate calls (in flight at the fault)', (row) => `${row.duplicates} (${row.exposed})${row.duplicatesOutsideFaults ? `, ${row.duplicatesOutsideFaults} after a timeout outside it` : ''}`],
  ['503 + Retry-After', (row) => String(row.unavailable503)],
  ['other 5xx', (row) => String(row.other5xx)],
  ['hung', (row) => String(row.hung)],
  ['recovery', (row) => (row.recoveryMs === undefined ? '–' : `${(row.recoveryMs / 1000).toFixed(1)} s`)],
  ['API p99 while degraded', (row) => (row.p99Ms === undefined ? '–' : `${row.p99Ms} ms`)],
];

export function tableHeader(): string {
  return [`| ${COLUMNS.map(([name]) => name).join(' | ')} |`, `|${COLUMNS.map(() => ' --- ').join('|')}|`].join('\n');
}

export function tableRow(row: ScenarioRow): string {
  return `| ${COLUMNS.map(([, cell]) => cell(row)).join(' | ')} |`;
}

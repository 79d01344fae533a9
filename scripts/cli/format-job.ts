/** Jobs as text: one progress line while waiting, and the full picture for `status`. */
import type { JobView } from './api-types';
import { summaryLine, tokensText } from './format-result';

type ChainStep = JobView['chain'][number];

const CLOSED_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

export function isClosed(job: Pick<JobView, 'status'>): boolean {
  return CLOSED_STATUSES.has(job.status);
}

/** "analyzing · anthropic · attempt 2 (last: RateLimited)". */
export function progressLine(job: JobView): string {
  const provider = job.currentAttempt?.provider ?? job.provider;
  const attempt = job.currentAttempt;
  return [
    job.stage,
    ...(provider ? [provider] : []),
    ...(attempt ? [`attempt ${attempt.attempt}${attempt.lastFailure ? ` (last: ${attempt.lastFailure})` : ''}`] : []),
  ].join(' · ');
}

/**
 * The line to print after a poll, or undefined when nothing a watcher cares about (stage, provider,
 * attempt) changed since the last printed job. A running job can read as "queued" for one poll when
 * its progress query times out; that step backwards is noise, so it is not shown.
 */
export function progressUpdate(lastShown: JobView | undefined, next: JobView): string | undefined {
  const line = progressLine(next);
  if (lastShown === undefined) return line;
  if (next.stage === 'queued' && lastShown.stage !== 'queued') return undefined;
  return line === progressLine(lastShown) ? undefined : line;
}

/** "2. anthropic claude-3 [advanced] · failed after 3 attempts: RateLimited (Timeout, RateLimited)". */
export function chainStepLine(step: ChainStep, index: number): string {
  const who = [step.provider, step.model, step.tier && `[${step.tier}]`].filter(Boolean).join(' ');
  const attempts = step.attempts !== undefined && step.attempts > 1 ? ` after ${step.attempts} attempts` : '';
  const why = step.outcome === 'failed' && step.errorType ? `: ${step.errorType}` : '';
  const earlier = step.attemptErrors?.length ? ` (${step.attemptErrors.join(', ')})` : '';
  return `${index + 1}. ${who} · ${step.outcome}${attempts}${why}${earlier}`;
}

/** An empty chain means different things: a cached answer, a first step still running, or nothing started. */
function emptyChainLine(job: JobView): string {
  if (job.result?.meta.cached) return '(answered from the cache: no provider called)';
  if (job.status === 'running' && job.provider) return `(${job.provider}: first step in progress)`;
  if (job.status === 'cancelled') return '(cancelled before any provider ran)';
  return '(no provider tried yet)';
}

export function renderJob(job: JobView): string {
  const label = (name: string) => name.padEnd(9);
  const chain = job.chain.length ? job.chain.map(chainStepLine) : [emptyChainLine(job)];
  const lines = [
    `${label('job')}${job.jobId}`,
    `${label('status')}${job.status}${job.status === job.stage ? '' : ` · ${progressLine(job)}`}`,
    ...chain.map((line, index) => `${label(index === 0 ? 'chain' : '')}${line}`),
    `${label('tokens')}${tokensText(job.tokens)}`,
  ];
  if (job.result) lines.push(`${label('result')}${summaryLine(job.result)}`);
  if (job.error) lines.push(`${label('error')}${job.error.type}: ${job.error.message}`);
  if (job.startedAt) lines.push(`${label('started')}${job.startedAt}${job.closedAt ? ` · closed ${job.closedAt}` : ''}`);
  lines.push(`${label('ui')}${job.links.ui}`);
  return lines.join('\n');
}

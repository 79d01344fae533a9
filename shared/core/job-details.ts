/**
 * What the Temporal UI shows as a job's current details: who answered (or is trying), and the chain so
 * far. The run's summary is fixed at start and can only say what was asked; these say what ran.
 */
import type { JobProgress, JobStatus, ProviderAttempt } from './job-types';

export function jobDetailsMarkdown(status: JobStatus, progress: JobProgress): string {
  const steps = progress.chain.map((step, index) => `${index + 1}. ${stepLine(step)}`);
  return [headline(status, progress), ...(steps.length > 0 ? ['**Chain:**', ...steps] : [])].join('\n\n');
}

function headline(status: JobStatus, progress: JobProgress): string {
  const answered = progress.chain.find((step) => step.outcome === 'succeeded');
  switch (status) {
    case 'completed':
      if (progress.cached) return `**Answered from the analysis cache** (first answered by ${progress.provider ?? 'a provider'})`;
      return `**Answered by** ${answered ? who(answered) : (progress.provider ?? 'unknown')}`;
    case 'failed':
      return `**Failed** after ${progress.chain.length} provider step${progress.chain.length === 1 ? '' : 's'}`;
    case 'cancelled':
      return progress.chain.length > 0 ? `**Cancelled** (last step: ${progress.chain.at(-1)!.provider})` : '**Cancelled** before any provider ran';
    case 'running': {
      const retry = progress.currentAttempt ? `, attempt ${progress.currentAttempt.attempt} (last: ${progress.currentAttempt.lastFailure ?? 'failed'})` : '';
      return `**Running:** ${progress.provider ?? 'starting'}${retry}`;
    }
    case 'queued':
      return '**Queued**';
  }
}

function who(step: ProviderAttempt): string {
  if (step.provider === 'local') return 'local (extractive analyzer)';
  return `${step.provider}${step.model ? ` ${step.model}` : ''}${step.tier ? ` (${step.tier} tier)` : ''}`;
}

function stepLine(step: ProviderAttempt): string {
  const attempts = step.attempts !== undefined && step.attempts > 1 ? ` after ${step.attempts} attempts` : '';
  const why = step.outcome !== 'succeeded' && step.errorType ? `: ${step.errorType}` : '';
  return `${who(step)} · ${step.outcome}${attempts}${why}`;
}

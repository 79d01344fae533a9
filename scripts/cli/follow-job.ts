/** The job as the CLI knows it, carried forward by each server-sent event of its stream. */
import type { JobView } from './api-types';
import type { ServerSentEvent } from './server-sent-events';

type ChainStep = JobView['chain'][number];
type RunningAttempt = NonNullable<JobView['currentAttempt']> & { outcome: 'running' };

export function applyJobEvent(current: JobView | undefined, { event, data }: ServerSentEvent): JobView | undefined {
  switch (event) {
    case 'snapshot':
    case 'completed':
    case 'failed':
    case 'cancelled':
      return data as JobView;
    case 'stage': {
      if (!current) return current;
      const stage = data as Pick<JobView, 'status' | 'stage' | 'provider'>;
      // A new provider starts at its first attempt.
      const { currentAttempt, ...rest } = current;
      return { ...rest, ...stage, ...(currentAttempt && currentAttempt.provider === (stage.provider ?? current.provider) && { currentAttempt }) };
    }
    case 'attempt': {
      if (!current) return current;
      const attempt = data as ChainStep | RunningAttempt;
      if (attempt.outcome === 'running') {
        const { outcome: _running, ...currentAttempt } = attempt;
        return { ...current, currentAttempt };
      }
      // The attempt line stays until the stage moves on: the step's end is news for the chain, not for the line.
      return { ...current, chain: [...current.chain, attempt] };
    }
    default:
      return current;
  }
}

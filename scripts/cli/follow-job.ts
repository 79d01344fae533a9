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
    case 'stage':
      return current && { ...current, ...(data as Pick<JobView, 'status' | 'stage' | 'provider'>) };
    case 'attempt': {
      if (!current) return current;
      const attempt = data as ChainStep | RunningAttempt;
      if (attempt.outcome === 'running') {
        const { outcome: _running, ...currentAttempt } = attempt;
        return { ...current, currentAttempt };
      }
      const { currentAttempt: _ended, ...rest } = current;
      return { ...rest, chain: [...current.chain, attempt] };
    }
    default:
      return current;
  }
}

/**
 * What `analyze --json` prints: one shape whether the API answered from its cache or through a job, so a
 * script reads `.status`, `.cached`, `.jobId` and `.result` the same way every time. A cached answer
 * started no job: its `jobId`, `links`, `version` and times are null and its chain is empty.
 */
import type { CachedAnalysis, JobView } from './api-types';

export type AnalyzeJson = Omit<JobView, 'jobId' | 'links' | 'version' | 'startedAt' | 'closedAt'> & {
  jobId: string | null;
  startedAt?: string | null;
  closedAt?: string | null;
  cached: boolean;
  links: JobView['links'] | null;
  version: string | null;
};

export function jobAsJson(job: JobView): AnalyzeJson {
  return { ...job, cached: job.result?.meta.cached ?? false };
}

export function cachedAnswerAsJson(answer: CachedAnalysis): AnalyzeJson {
  return {
    jobId: null,
    status: 'completed',
    stage: 'completed',
    cached: true,
    documentId: answer.documentId,
    provider: answer.result.meta.provider,
    chain: [],
    tokens: answer.tokens,
    cost: answer.cost ?? { nanoUsd: 0, usd: 0 },
    result: answer.result,
    startedAt: null,
    closedAt: null,
    links: null,
    version: null,
  };
}

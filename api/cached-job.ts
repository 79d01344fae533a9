/**
 * While Temporal is away, a finished job may still be read: a job started through the API is named
 * after its request's cache key, so its answer, when the analysis cache holds it, is the job's result.
 * The view says where it came from (`servedFrom: "cache"`); chain and tokens are not in the cache.
 */
import { createHash } from 'node:crypto';
import type { AnalysisCache } from '../shared/adapters/analysis-cache';
import type { AnalysisResult } from '../shared/core/analysis-result';
import type { AppConfig } from '../shared/config';
import { JOB_ID_PREFIX } from '../shared/core/names';
import { temporalUiRunUrl } from '../shared/adapters/temporal-client';
import type { JobView } from './job-view';

export const SERVED_FROM_HEADER = 'X-Served-From';

export type CachedJobView = JobView & { servedFrom: 'cache' };

const CACHE_KEY_JOB_ID = new RegExp(`^${JOB_ID_PREFIX}([0-9a-f]{64})$`);

/** The cache key a job id names, for ids the API gave (UUID job ids have none). */
export function cacheKeyOfJob(jobId: string): string | undefined {
  return CACHE_KEY_JOB_ID.exec(jobId)?.[1];
}

export function cachedJobView(jobId: string, result: AnalysisResult, uiUrl: string): CachedJobView {
  return {
    jobId,
    status: 'completed',
    stage: 'completed',
    provider: result.meta.provider,
    chain: [],
    tokens: { input: 0, output: 0 },
    result,
    links: { self: `/api/jobs/${jobId}`, ui: uiUrl },
    version: createHash('sha256').update(`cache:${jobId}`).digest('hex').slice(0, 16),
    servedFrom: 'cache',
  };
}

export async function readCachedJob(cache: AnalysisCache, config: AppConfig, jobId: string): Promise<CachedJobView | undefined> {
  const key = cacheKeyOfJob(jobId);
  const result = key && (await cache.read(key));
  return result ? cachedJobView(jobId, result, temporalUiRunUrl(config, jobId)) : undefined;
}

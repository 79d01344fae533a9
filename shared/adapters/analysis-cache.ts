/**
 * The analysis cache as the API and the workers use it: keys from the normalized request, only complete
 * first-choice answers stored, every entry tagged with its document so an edit or delete drops them all.
 */
import { analysisResultSchema, type AnalysisResult } from '../core/analysis-result';
import { analysisCacheKey, createAnalysisCache, documentCacheTag, type CacheStats, type TieredCache } from './cache';
import type { AppConfig } from '../config';
import type { ModelTier } from '../core/providers/catalog';
import type { AnalysisType, ProviderAttempt } from '../core/job-types';
import { PROMPT_VERSION } from '../core/providers/prompt';

export interface AnalysisRequestIdentity {
  contentSha256: string;
  analysisType: AnalysisType;
  tier: ModelTier;
  maxTokens?: number;
}

export function analysisKeyOf(request: AnalysisRequestIdentity): string {
  return analysisCacheKey({
    contentHash: request.contentSha256,
    analysisType: request.analysisType,
    modelTier: request.tier,
    promptVersion: PROMPT_VERSION,
    options: { maxTokens: request.maxTokens },
  });
}

/**
 * Only an answer from the first provider that was tried is stored: a fallback answer (say, the local
 * analyzer while the LLMs were down) is served to that job but must not stand in for the real one later.
 */
export function isCacheable(result: AnalysisResult, chain: readonly ProviderAttempt[]): boolean {
  return !result.meta.cached && chain.every((step) => step.outcome === 'succeeded') && analysisResultSchema.safeParse(result).success;
}

/** What a cache hit looks like to the client: marked cached, and it cost no tokens this time. */
export function asCachedAnswer(result: AnalysisResult): AnalysisResult {
  const { attemptSpend: _paidBefore, ...meta } = result.meta;
  return { ...result, meta: { ...meta, cached: true, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costNanoUsd: 0, latencyMs: 0 } };
}

export class AnalysisCache {
  constructor(
    private readonly cache: TieredCache,
    private readonly ttlMs: number,
  ) {}

  static fromConfig(config: AppConfig, log?: (message: string) => void): AnalysisCache {
    const cache = createAnalysisCache({
      memoryCacheSize: config.cache.memorySize,
      diskDir: config.cache.diskDir,
      redisUrl: config.redisUrl,
      redisPrefix: config.cache.redisPrefix,
      redisOperationTimeoutMs: config.cache.redisTimeoutMs,
      log,
    });
    return new AnalysisCache(cache, config.cache.ttlMs);
  }

  /** A stored answer, marked cached; undefined on a miss or when what is stored no longer validates. */
  async read(key: string): Promise<AnalysisResult | undefined> {
    const stored = await this.cache.get(key);
    if (stored === undefined) return undefined;
    const parsed = analysisResultSchema.safeParse(stored);
    if (!parsed.success) {
      await this.cache.delete(key);
      return undefined;
    }
    return asCachedAnswer(parsed.data);
  }

  /** Stores the answer when isCacheable; returns whether it did. */
  async write(key: string, documentId: string, result: AnalysisResult, chain: readonly ProviderAttempt[]): Promise<boolean> {
    if (!isCacheable(result, chain)) return false;
    await this.cache.set(key, result, this.ttlMs, { tags: [documentCacheTag(documentId)] });
    return true;
  }

  invalidateDocument(documentId: string): Promise<void> {
    return this.cache.invalidateTag(documentCacheTag(documentId));
  }

  stats(): CacheStats {
    return this.cache.stats();
  }

  close(): Promise<void> {
    return this.cache.close();
  }
}

/**
 * The analysis cache as the API and the workers use it: keys from the normalized request, only complete
 * first-choice answers stored, every entry tagged with its document so an edit or delete drops them all.
 */
import { analysisResultSchema, type AnalysisResult } from '../core/analysis-result';
import { analysisCacheKey, createAnalysisCache, documentCacheTag, type CacheStats, type StoredEntry, type TieredCache } from './cache';
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

/** A stored value that is valid JSON but no longer an analysis result (an older shape): dropped on read. */
const NOT_AN_ANSWER = Symbol('not an analysis result');

export class AnalysisCache {
  /** A hit's answer as JSON text, per stored entry: the memory tier returns the same object until the key is written again. */
  private readonly servedJson = new WeakMap<StoredEntry, string | typeof NOT_AN_ANSWER>();

  private readonly servedJsonOf = (entry: StoredEntry): string | typeof NOT_AN_ANSWER => {
    let served = this.servedJson.get(entry);
    if (served === undefined) {
      // Text that is not JSON throws here: the tiered cache counts it as that tier failing.
      const parsed = analysisResultSchema.safeParse(JSON.parse(entry.json));
      served = parsed.success ? JSON.stringify(asCachedAnswer(parsed.data)) : NOT_AN_ANSWER;
      this.servedJson.set(entry, served);
    }
    return served;
  };

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
    const json = await this.readJson(key);
    return json === undefined ? undefined : (JSON.parse(json) as AnalysisResult);
  }

  /**
   * What `read` answers, as JSON text: a cache hit's response embeds it as it is. Validated and
   * serialized once per stored entry (see servedJsonOf), not once per hit.
   */
  async readJson(key: string): Promise<string | undefined> {
    const served = await this.cache.getDecoded(key, this.servedJsonOf);
    if (served !== NOT_AN_ANSWER) return served;
    await this.cache.delete(key);
    return undefined;
  }

  /** `readJson`, answered without a promise when the memory tier holds the entry (a cache hit's usual case). */
  readJsonNow(key: string): string | undefined | Promise<string | undefined> {
    const peeked = this.cache.peekDecoded(key, this.servedJsonOf);
    if (peeked === undefined) return this.readJson(key);
    if (peeked !== NOT_AN_ANSWER) return peeked;
    return this.cache.delete(key).then(() => undefined);
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

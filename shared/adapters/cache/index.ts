export { ANALYSIS_CACHE_DEFAULTS, createAnalysisCache, type AnalysisCacheOptions } from './create-analysis-cache';
export type { JsonValue, StoredEntry } from './entry';
export { analysisCacheKey, canonicalJson, documentCacheTag, type AnalysisCacheKeyInput } from './keys';
export { SqliteStore } from './sqlite-store';
export type { LatencySummary, TierStats } from './stats';
export type { TierName } from './tier';
export { TieredCache, type CacheStats, type SetOptions } from './tiered-cache';

import { DiskTier } from './disk-tier';
import { MemoryTier } from './memory-tier';
import { RedisTier } from './redis-tier';
import type { CacheTier } from './tier';
import { TieredCache } from './tiered-cache';

export interface AnalysisCacheOptions {
  /** Entries kept in process (LRU). */
  memoryCacheSize?: number;
  /** Directory of the disk tier (`<diskDir>/cache.db`); no disk tier without it. */
  diskDir?: string;
  /** The tier shared by all processes; no Redis tier without it. */
  redisUrl?: string;
  redisPrefix?: string;
  /** Longest a Redis operation may take before it counts as a miss (and an error). */
  redisOperationTimeoutMs?: number;
  /** TTL for `set` calls that give none; by default such entries do not expire. */
  defaultTtlMs?: number;
  log?: (message: string) => void;
}

export const ANALYSIS_CACHE_DEFAULTS = {
  memoryCacheSize: 1000,
  redisPrefix: 'analysis:',
  redisOperationTimeoutMs: 30,
} as const;

/**
 * Memory, then disk, then Redis, each only when configured. Throws only on invalid sizes or
 * timeouts, or when `diskDir` cannot be opened: configuration errors belong at startup.
 */
export function createAnalysisCache(options: AnalysisCacheOptions = {}): TieredCache {
  const log = options.log ?? ((message: string) => console.warn(message));
  const memoryCacheSize = options.memoryCacheSize ?? ANALYSIS_CACHE_DEFAULTS.memoryCacheSize;
  const redisOperationTimeoutMs = options.redisOperationTimeoutMs ?? ANALYSIS_CACHE_DEFAULTS.redisOperationTimeoutMs;
  if (!Number.isInteger(memoryCacheSize) || memoryCacheSize < 0) {
    throw new RangeError(`memoryCacheSize must be a whole number >= 0, got ${memoryCacheSize}`);
  }
  if (!(redisOperationTimeoutMs > 0)) throw new RangeError(`redisOperationTimeoutMs must be > 0, got ${redisOperationTimeoutMs}`);
  const tiers: CacheTier[] = [new MemoryTier(memoryCacheSize)];
  if (options.diskDir) tiers.push(DiskTier.open(options.diskDir));
  if (options.redisUrl) {
    tiers.push(
      new RedisTier({
        url: options.redisUrl,
        prefix: options.redisPrefix ?? ANALYSIS_CACHE_DEFAULTS.redisPrefix,
        operationTimeoutMs: redisOperationTimeoutMs,
        log,
      }),
    );
  }
  return new TieredCache(tiers, { defaultTtlMs: options.defaultTtlMs, log });
}

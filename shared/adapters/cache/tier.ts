import type { StoredEntry } from './entry';

export type TierName = 'memory' | 'disk' | 'redis';

export type InvalidationEvent = { key: string } | { tag: string };

/**
 * One level of the cache. Tiers may throw or reject: the tiered cache turns every failure into that
 * tier's error count and a miss, so callers never see it.
 */
export interface CacheTier {
  readonly name: TierName;
  /** The live entry, or undefined when absent or expired. */
  get(key: string, now: number): Promise<StoredEntry | undefined>;
  /** In-process tiers only: the same read without a promise. */
  getNow?(key: string, now: number): StoredEntry | undefined;
  /** Stores an entry that has not expired yet (the cache checks). */
  set(key: string, entry: StoredEntry, now: number): Promise<void>;
  delete(key: string): Promise<void>;
  invalidateTag(tag: string): Promise<void>;
  /**
   * Shared tiers only: calls `listener` when another process deletes a key or invalidates a tag, so
   * this process can drop its private copies (memory, and disk when it is not shared).
   */
  onRemoteInvalidation?(listener: (event: InvalidationEvent) => void): void;
  /** Tier-specific facts for the health endpoint (entry count, connection state...). */
  describe(): Record<string, number | boolean | string>;
  close(): Promise<void>;
}

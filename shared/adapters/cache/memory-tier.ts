import { isExpired, type StoredEntry } from './entry';
import { LruMap } from './lru';
import type { CacheTier } from './tier';

/** In-process LRU. Entries hold JSON text, so a caller mutating what it got back cannot alter the cache. */
export class MemoryTier implements CacheTier {
  readonly name = 'memory' as const;
  private readonly entries: LruMap<string, StoredEntry>;

  constructor(capacity: number) {
    this.entries = new LruMap(capacity);
  }

  async get(key: string, now: number): Promise<StoredEntry | undefined> {
    return this.getNow(key, now);
  }

  getNow(key: string, now: number): StoredEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (!isExpired(entry, now)) return entry;
    this.entries.delete(key);
    return undefined;
  }

  async set(key: string, entry: StoredEntry): Promise<void> {
    this.entries.set(key, entry);
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  // A scan is fine: the tier holds at most `capacity` entries and invalidation is rare.
  async invalidateTag(tag: string): Promise<void> {
    const tagged = [...this.entries].filter(([, entry]) => entry.tags.includes(tag)).map(([key]) => key);
    for (const key of tagged) this.entries.delete(key);
  }

  describe() {
    return { entries: this.entries.size, capacity: this.entries.capacity };
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

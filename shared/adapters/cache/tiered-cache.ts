/**
 * Read-through over tiers ordered fastest first (memory → disk → Redis). A hit in a lower tier is
 * copied into the tiers above it with the time it has left. A failing tier never fails the caller:
 * its error is counted and logged, and the operation carries on as if that tier had missed.
 */
import { performance } from 'node:perf_hooks';
import { expiresAtFor, isExpired, serializeValue, type JsonValue, type StoredEntry } from './entry';
import { TierStatsRecorder, type TierStats } from './stats';
import type { CacheTier, TierName } from './tier';

export interface SetOptions {
  /** Groups entries for `invalidateTag`, e.g. documentCacheTag(documentId). */
  tags?: readonly string[];
}

export interface CacheStats {
  hits: number;
  misses: number;
  tiers: Partial<Record<TierName, TierStats>>;
}

export interface TieredCacheOptions {
  /** Used by `set` when no TTL is given; undefined keeps such entries until evicted or deleted. */
  defaultTtlMs?: number;
  log: (message: string) => void;
}

type Outcome<T> = { ok: true; value: T } | { ok: false };

const parseEntry = (entry: StoredEntry) => JSON.parse(entry.json) as JsonValue;

export class TieredCache {
  private readonly recorders = new Map<CacheTier, TierStatsRecorder>();
  /** Per tier, the error last logged; cleared by a success so the next outage is logged again. */
  private readonly loggedErrors = new Map<CacheTier, string>();
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly tiers: readonly CacheTier[],
    private readonly options: TieredCacheOptions,
  ) {
    for (const tier of tiers) this.recorders.set(tier, new TierStatsRecorder());
    const privateTiers = tiers.filter((tier) => !tier.onRemoteInvalidation);
    for (const shared of tiers) {
      shared.onRemoteInvalidation?.((event) => {
        for (const tier of privateTiers) {
          void this.call(tier, () => ('key' in event ? tier.delete(event.key) : tier.invalidateTag(event.tag)));
        }
      });
    }
  }

  /** The stored value (which may be falsy: 0, false, '', null), or undefined on a miss. */
  get(key: string): Promise<JsonValue | undefined> {
    return this.getDecoded(key, parseEntry);
  }

  /**
   * The stored entry through `decode`, or undefined on a miss. `decode` throwing (text that is not
   * JSON) counts as that tier failing, and the lookup moves on to the next tier. The memory tier hands
   * back the same entry object until the key is written again, so a decoder may memoize per entry.
   */
  async getDecoded<T>(key: string, decode: (entry: StoredEntry) => T): Promise<T | undefined> {
    const now = Date.now();
    for (const [level, tier] of this.tiers.entries()) {
      const found = tier.getNow ? this.callNow(tier, () => tier.getNow!(key, now)) : await this.call(tier, () => tier.get(key, now));
      if (!found.ok) continue;
      const entry = found.value;
      if (entry === undefined || isExpired(entry, now)) {
        this.recorder(tier).count('misses');
        continue;
      }
      const decoded = this.decode(tier, entry, decode);
      if (!decoded.ok) continue;
      this.recorder(tier).count('hits');
      if (level > 0) await this.backfill(this.tiers.slice(0, level), key, entry, now);
      this.hits++;
      return decoded.value;
    }
    this.misses++;
    return undefined;
  }

  /**
   * `getDecoded`'s answer when the first tier is in process (memory) and holds the key, without a
   * promise, with the same statistics; undefined, recording nothing, when the caller should go on with
   * `getDecoded` (a miss there, or a tier or decoder failure it will meet and count again).
   */
  peekDecoded<T>(key: string, decode: (entry: StoredEntry) => T): T | undefined {
    const tier = this.tiers[0];
    if (tier?.getNow === undefined) return undefined;
    const started = performance.now();
    const now = Date.now();
    try {
      const entry = tier.getNow(key, now);
      if (entry === undefined || isExpired(entry, now)) return undefined;
      const value = decode(entry);
      this.succeeded(tier, entry, started);
      this.recorder(tier).count('hits');
      this.hits++;
      return value;
    } catch {
      return undefined;
    }
  }

  /**
   * Stores `value` (any JSON value) in every tier for `ttlMs`. A TTL of zero or less stores nothing
   * and removes the key. A value JSON cannot represent is logged and not stored.
   */
  async set(key: string, value: unknown, ttlMs?: number, options: SetOptions = {}): Promise<void> {
    const json = serializeValue(value);
    if (json === undefined) {
      this.options.log(`cache: not caching ${key}: the value is not representable as JSON`);
      return;
    }
    const ttl = ttlMs ?? this.options.defaultTtlMs;
    if (ttl !== undefined && !(ttl > 0)) return this.delete(key);
    const now = Date.now();
    const entry: StoredEntry = {
      json,
      expiresAt: expiresAtFor(ttl === Infinity ? undefined : ttl, now),
      tags: [...new Set(options.tags ?? [])],
    };
    await this.inEveryTier('sets', (tier) => tier.set(key, entry, now));
  }

  async delete(key: string): Promise<void> {
    await this.inEveryTier('deletes', (tier) => tier.delete(key));
  }

  /** Removes every entry stored with `tag`, from every tier. */
  async invalidateTag(tag: string): Promise<void> {
    await this.inEveryTier('invalidations', (tier) => tier.invalidateTag(tag));
  }

  stats(): CacheStats {
    const tiers: Partial<Record<TierName, TierStats>> = {};
    for (const tier of this.tiers) tiers[tier.name] = this.recorder(tier).snapshot(tier.describe());
    return { hits: this.hits, misses: this.misses, tiers };
  }

  async close(): Promise<void> {
    await Promise.all(this.tiers.map((tier) => this.call(tier, () => tier.close())));
  }

  private async backfill(upperTiers: readonly CacheTier[], key: string, entry: StoredEntry, now: number): Promise<void> {
    await Promise.all(
      upperTiers.map(async (tier) => {
        if ((await this.call(tier, () => tier.set(key, entry, now))).ok) this.recorder(tier).count('backfills');
      }),
    );
  }

  private async inEveryTier(counter: 'sets' | 'deletes' | 'invalidations', operation: (tier: CacheTier) => Promise<void>): Promise<void> {
    await Promise.all(
      this.tiers.map(async (tier) => {
        if ((await this.call(tier, () => operation(tier))).ok) this.recorder(tier).count(counter);
      }),
    );
  }

  private decode<T>(tier: CacheTier, entry: StoredEntry, decode: (entry: StoredEntry) => T): Outcome<T> {
    try {
      return { ok: true, value: decode(entry) };
    } catch (error) {
      this.failed(tier, error);
      return { ok: false };
    }
  }

  private async call<T>(tier: CacheTier, operation: () => Promise<T>): Promise<Outcome<T>> {
    const started = performance.now();
    try {
      return this.succeeded(tier, await operation(), started);
    } catch (error) {
      return this.failedAfter(tier, error, started);
    }
  }

  /** `call` for an in-process tier's synchronous read: a memory hit awaits nothing. */
  private callNow<T>(tier: CacheTier, operation: () => T): Outcome<T> {
    const started = performance.now();
    try {
      return this.succeeded(tier, operation(), started);
    } catch (error) {
      return this.failedAfter(tier, error, started);
    }
  }

  private succeeded<T>(tier: CacheTier, value: T, started: number): Outcome<T> {
    this.recorder(tier).latency.record(performance.now() - started);
    this.loggedErrors.delete(tier);
    return { ok: true, value };
  }

  private failedAfter(tier: CacheTier, error: unknown, started: number): Outcome<never> {
    this.recorder(tier).latency.record(performance.now() - started);
    this.failed(tier, error);
    return { ok: false };
  }

  private failed(tier: CacheTier, error: unknown): void {
    this.recorder(tier).count('errors');
    const message = error instanceof Error ? error.message : String(error);
    // An outage fails every operation the same way: log when a tier starts failing or fails differently.
    if (this.loggedErrors.get(tier) === message) return;
    this.loggedErrors.set(tier, message);
    this.options.log(`cache: ${tier.name} tier failed (${message}); treating it as a miss`);
  }

  private recorder(tier: CacheTier): TierStatsRecorder {
    return this.recorders.get(tier) as TierStatsRecorder;
  }
}

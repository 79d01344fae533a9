/**
 * What every tier stores: the value as JSON text, an absolute expiry and the entry's tags. Keeping
 * the expiry (not the original TTL) is what lets a lower-tier hit back-fill the upper tiers with the
 * time the entry has left rather than a fresh full TTL.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface StoredEntry {
  /** The value serialized once by the cache; tiers never parse it. */
  json: string;
  /** Epoch ms; undefined means the entry never expires. */
  expiresAt?: number;
  tags: readonly string[];
}

export function expiresAtFor(ttlMs: number | undefined, now: number): number | undefined {
  return ttlMs === undefined ? undefined : now + ttlMs;
}

/** Time left, for writing the entry into another tier; undefined when it never expires. */
export function remainingTtlMs(entry: Pick<StoredEntry, 'expiresAt'>, now: number): number | undefined {
  return entry.expiresAt === undefined ? undefined : entry.expiresAt - now;
}

export function isExpired(entry: Pick<StoredEntry, 'expiresAt'>, now: number): boolean {
  return entry.expiresAt !== undefined && entry.expiresAt <= now;
}

/**
 * JSON text for a value, or undefined when JSON cannot represent it (undefined, a function, a
 * symbol, a BigInt, a cycle).
 */
export function serializeValue(value: unknown): string | undefined {
  try {
    return JSON.stringify(value) as string | undefined;
  } catch {
    return undefined;
  }
}

/**
 * The per-client rate limit's arithmetic, apart from Express and Redis: a fixed window per client that
 * starts at its first request, and the IETF draft-8 `RateLimit` / `RateLimit-Policy` header values,
 * written exactly as express-rate-limit 8 writes them (the API used its middleware before).
 */
import { createHash } from 'node:crypto';

export interface WindowCount {
  /** Requests in the client's current window, this one included. */
  totalHits: number;
  /** When the window ends (epoch ms). */
  resetAtMs: number;
}

/** In-process counters, for an API without Redis. Idle clients are swept once a window. */
export class MemoryWindowStore {
  private readonly windows = new Map<string, WindowCount>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly windowMs: number) {
    this.sweeper = setInterval(() => this.sweep(Date.now()), windowMs);
    this.sweeper.unref();
  }

  increment(key: string, nowMs = Date.now()): WindowCount {
    let window = this.windows.get(key);
    if (window === undefined || window.resetAtMs <= nowMs) {
      window = { totalHits: 0, resetAtMs: nowMs + this.windowMs };
      this.windows.set(key, window);
    }
    window.totalHits++;
    return { ...window };
  }

  sweep(nowMs: number): void {
    for (const [key, window] of this.windows) if (window.resetAtMs <= nowMs) this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }

  shutdown(): void {
    clearInterval(this.sweeper);
    this.windows.clear();
  }
}

/** The policy's name in both headers: `100-in-1min` (express-rate-limit's default identifier). */
export function policyName(limit: number, windowMs: number): string {
  const seconds = windowMs / 1000;
  const minutes = seconds / 60;
  const hours = minutes / 60;
  const days = hours / 24;
  if (seconds < 60) return `${limit}-in-${seconds}sec`;
  if (minutes < 60) return `${limit}-in-${minutes}min`;
  if (hours < 24) return `${limit}-in-${hours}hr${hours > 1 ? 's' : ''}`;
  return `${limit}-in-${days}day${days > 1 ? 's' : ''}`;
}

/** A non-reversible tag of the client's key (draft-8 `pk`): the first 12 hex digits of its SHA-256, base64. */
export function partitionKeyOf(key: string): string {
  return Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');
}

export function secondsUntilReset(count: WindowCount, nowMs: number): number {
  return Math.max(0, Math.ceil((count.resetAtMs - nowMs) / 1000));
}

export interface RateLimitHeaderInput {
  limit: number;
  windowMs: number;
  count: WindowCount;
  partitionKey: string;
  nowMs: number;
}

export function rateLimitHeaders({ limit, windowMs, count, partitionKey, nowMs }: RateLimitHeaderInput): { RateLimit: string; 'RateLimit-Policy': string } {
  const name = policyName(limit, windowMs);
  const remaining = Math.max(limit - count.totalHits, 0);
  return {
    RateLimit: `"${name}"; r=${remaining}; t=${secondsUntilReset(count, nowMs)}`,
    'RateLimit-Policy': `"${name}"; q=${limit}; w=${Math.ceil(windowMs / 1000)}; pk=:${partitionKey}:`,
  };
}

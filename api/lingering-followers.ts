/**
 * Followers of jobs' histories that a waiting read has just used, kept for a short while: a client that
 * long-polls again with the version it was just given continues from where the last read stopped,
 * with no second read of the history. A follower is handed to one read at a time, and only to a read
 * whose `since` is the follower's own version, so a client that saw more elsewhere (another API
 * process) never gets an older view back.
 */
export interface LingeringOptions {
  lingerMs: number;
  /** The oldest followers make room beyond this many. */
  maxEntries: number;
  now?: () => number;
}

interface Entry<T> {
  follower: T;
  version: string;
  expiresAt: number;
}

export class LingeringFollowers<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly now: () => number;

  constructor(private readonly options: LingeringOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The follower kept for `jobId` if it stands at `version`; it is no longer kept (the caller returns it when done). */
  take(jobId: string, version: string): T | undefined {
    const entry = this.entries.get(jobId);
    if (!entry) return undefined;
    this.entries.delete(jobId);
    return entry.version === version && entry.expiresAt > this.now() ? entry.follower : undefined;
  }

  keep(jobId: string, version: string, follower: T): void {
    const now = this.now();
    this.entries.delete(jobId);
    this.entries.set(jobId, { follower, version, expiresAt: now + this.options.lingerMs });
    // Insertion order is age order: drop what has expired, then the oldest beyond the cap.
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size <= this.options.maxEntries) break;
      this.entries.delete(id);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

import fs from 'node:fs';
import path from 'node:path';
import type { StoredEntry } from './entry';
import { SqliteStore } from './sqlite-store';
import type { CacheTier } from './tier';

/** Expired rows are also dropped when read; this sweeps the ones nobody reads again. */
const PURGE_EVERY_SETS = 500;

/** Entries in `<dir>/cache.db`, surviving restarts of the process. */
export class DiskTier implements CacheTier {
  readonly name = 'disk' as const;
  private setsSincePurge = 0;

  private constructor(
    private readonly store: SqliteStore,
    private readonly filePath: string,
  ) {}

  static open(dir: string): DiskTier {
    fs.mkdirSync(dir, { recursive: true });
    const filePath = path.join(dir, 'cache.db');
    const tier = new DiskTier(new SqliteStore(filePath), filePath);
    tier.store.purgeExpired(Date.now());
    return tier;
  }

  async get(key: string, now: number): Promise<StoredEntry | undefined> {
    return this.store.readEntry(key, now);
  }

  async set(key: string, entry: StoredEntry, now: number): Promise<void> {
    this.store.writeEntry(key, entry);
    if (++this.setsSincePurge >= PURGE_EVERY_SETS) {
      this.setsSincePurge = 0;
      this.store.purgeExpired(now);
    }
  }

  async delete(key: string): Promise<void> {
    await this.store.delete(key);
  }

  async invalidateTag(tag: string): Promise<void> {
    this.store.deleteTag(tag);
  }

  describe() {
    return { path: this.filePath };
  }

  async close(): Promise<void> {
    this.store.close();
  }
}

/**
 * The tier shared by every process, on @redis/client directly. @keyv/redis was tried and not used:
 * against a refused or black-holed port its first call hung for seconds (its `getClient()` awaits
 * `connect()`), and after a failed connect it disconnects instead of letting the client reconnect.
 *
 * Failing open takes three things: `disableOfflineQueue`, so a command issued while disconnected
 * fails at once instead of queueing until Redis returns; a timeout on every operation, because
 * node-redis only times out commands it has not written yet and a written command waits forever on
 * a server that stopped answering; and dropping the connection and reconnecting after several
 * timeouts in a row, since node-redis never drops a socket that is silent but open.
 */
import { createClient } from '@redis/client';
import { backoffDelayMs, withJitter } from '../../core/resilience/backoff';
import type { StoredEntry } from './entry';
import { GET_ENTRY, INVALIDATE_TAG, SET_ENTRY } from './redis-scripts';
import { randomUUID } from 'node:crypto';
import type { CacheTier, InvalidationEvent } from './tier';
import { OperationTimeoutError, withTimeout } from '../with-timeout';

export interface RedisTierOptions {
  url: string;
  /** Namespaces every key: `<prefix>entry:<key>` and `<prefix>tag:<tag>`. */
  prefix: string;
  operationTimeoutMs: number;
  /** Timeouts in a row after which the connection is presumed dead, dropped and reopened. */
  reconnectAfterTimeouts?: number;
  log: (message: string) => void;
}

const RECONNECT_BACKOFF = { initialIntervalMs: 50, backoffFactor: 2, maxIntervalMs: 1000 };

function createRedisClient(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      // Keep retrying forever, whatever the cause (node-redis gives up on socket timeouts by default).
      reconnectStrategy: (retries: number) => withJitter(backoffDelayMs({ ...RECONNECT_BACKOFF, attempt: retries + 1 }), 0.2),
    },
  });
}

type RedisClient = ReturnType<typeof createRedisClient>;

export class RedisTier implements CacheTier {
  readonly name = 'redis' as const;
  private readonly client: RedisClient;
  /** Pub/sub needs a connection of its own. */
  private readonly subscriber: RedisClient;
  private readonly origin = randomUUID();
  private invalidationListeners: ((event: InvalidationEvent) => void)[] = [];
  private timeoutsInARow = 0;
  private reportedDown = false;
  private closed = false;

  constructor(private readonly options: RedisTierOptions) {
    this.client = createRedisClient(options.url);
    this.client.on('ready', () => {
      this.reportedDown = false;
      this.options.log('redis cache: connected');
    });
    // Reported once per outage: node-redis emits an error on every reconnect attempt.
    this.client.on('error', (error: Error) => {
      if (this.reportedDown || this.closed) return;
      this.reportedDown = true;
      this.options.log(`redis cache: unavailable (${error.message}); serving from the local tiers and reconnecting`);
    });
    this.connect();
    this.subscriber = this.client.duplicate();
    this.subscriber.on('error', () => {});
    // Subscribed once, on the first connection: node-redis re-subscribes by itself after a reconnect.
    let subscribed = false;
    this.subscriber.on('ready', () => {
      if (subscribed) return;
      subscribed = true;
      this.subscriber.subscribe(this.channel(), (message) => this.receive(message)).catch(() => (subscribed = false));
    });
    this.subscriber.connect().catch(() => {});
  }

  onRemoteInvalidation(listener: (event: InvalidationEvent) => void): void {
    this.invalidationListeners.push(listener);
  }

  private channel(): string {
    return `${this.options.prefix}invalidations`;
  }

  private receive(message: string): void {
    let parsed: { origin?: unknown; key?: unknown; tag?: unknown };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      return;
    }
    if (parsed.origin === this.origin) return;
    const event = typeof parsed.key === 'string' ? { key: parsed.key } : typeof parsed.tag === 'string' ? { tag: parsed.tag } : undefined;
    if (event) this.invalidationListeners.forEach((listener) => listener(event));
  }

  /** Best effort: a process that misses this keeps its private copy until the entry's TTL. */
  private announce(event: InvalidationEvent): Promise<unknown> {
    return this.run((client) => client.publish(this.channel(), JSON.stringify({ origin: this.origin, ...event })));
  }

  async get(key: string, now: number): Promise<StoredEntry | undefined> {
    const reply = await this.run((client) => client.eval(GET_ENTRY, { keys: [this.entryKey(key)] }));
    if (reply === null) return undefined;
    const [json, tagsJson, pttl] = reply as [string, string, number];
    if (pttl === -2 || pttl === 0) return undefined;
    return { json, tags: JSON.parse(tagsJson) as string[], expiresAt: pttl === -1 ? undefined : now + pttl };
  }

  async set(key: string, entry: StoredEntry, now: number): Promise<void> {
    const ttl = entry.expiresAt === undefined ? '' : String(Math.max(1, Math.ceil(entry.expiresAt - now)));
    await this.run((client) =>
      client.eval(SET_ENTRY, {
        keys: [this.entryKey(key), ...entry.tags.map((tag) => this.tagKey(tag))],
        arguments: [entry.json, JSON.stringify(entry.tags), ttl],
      }),
    );
  }

  async delete(key: string): Promise<void> {
    await this.run((client) => client.del(this.entryKey(key)));
    await this.announce({ key });
  }

  async invalidateTag(tag: string): Promise<void> {
    await this.run((client) => client.eval(INVALIDATE_TAG, { keys: [this.tagKey(tag)] }));
    await this.announce({ tag });
  }

  describe() {
    return { connected: this.client.isReady, prefix: this.options.prefix };
  }

  async close(): Promise<void> {
    this.closed = true;
    destroyQuietly(this.client);
    destroyQuietly(this.subscriber);
  }

  private entryKey(key: string): string {
    return `${this.options.prefix}entry:${key}`;
  }

  private tagKey(tag: string): string {
    return `${this.options.prefix}tag:${tag}`;
  }

  private async run<T>(operation: (client: RedisClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the Redis tier is closed');
    try {
      const result = await withTimeout(operation(this.client), this.options.operationTimeoutMs);
      this.timeoutsInARow = 0;
      return result;
    } catch (error) {
      if (error instanceof OperationTimeoutError) this.countTimeout();
      throw error;
    }
  }

  private countTimeout(): void {
    const limit = this.options.reconnectAfterTimeouts ?? 5;
    if (++this.timeoutsInARow < limit) return;
    this.options.log(`redis cache: ${this.timeoutsInARow} operations in a row timed out; dropping the connection and reconnecting`);
    this.timeoutsInARow = 0;
    // The same client reconnects: a new one would cost tens of ms, as createClient rebuilds its class.
    destroyQuietly(this.client);
    this.connect();
  }

  private connect(): void {
    // Rejections surface as 'error' events; the reconnect strategy keeps trying meanwhile.
    this.client.connect().catch(() => {});
  }
}

function destroyQuietly(client: RedisClient): void {
  try {
    client.destroy();
  } catch {
    // Already closed.
  }
}

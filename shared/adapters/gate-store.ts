/**
 * Where provider gate state lives. With REDIS_URL every worker process shares it, and each change is an
 * atomic compare-and-set (a Lua script), so two workers cannot both take the single half-open probe.
 * Without Redis, or whenever Redis does not answer within `operationTimeoutMs`, the state is per process:
 * a breaker that is briefly local is better than a provider call that waits on Redis.
 */
import { createClient } from '@redis/client';
import { withTimeout } from './with-timeout';
import { initialGateState, type GateState } from '../core/resilience/provider-gate';

export interface GateStore {
  /** Applies `change` atomically to the state under `key` and returns its result. */
  update<T>(key: string, change: (state: GateState) => { next: GateState; result: T }): Promise<T>;
  read(key: string): Promise<GateState>;
  close(): Promise<void>;
}

export class MemoryGateStore implements GateStore {
  private readonly states = new Map<string, GateState>();

  async update<T>(key: string, change: (state: GateState) => { next: GateState; result: T }): Promise<T> {
    const { next, result } = change(this.states.get(key) ?? initialGateState());
    this.states.set(key, next);
    return result;
  }

  async read(key: string): Promise<GateState> {
    return this.states.get(key) ?? initialGateState();
  }

  async close(): Promise<void> {}
}

const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if (current or '') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

/** Gate state outlives any open period by far, yet does not stay in Redis forever for a removed provider. */
const STATE_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_CAS_ROUNDS = 8;

export interface RedisGateStoreOptions {
  url: string;
  keyPrefix: string;
  operationTimeoutMs?: number;
  log?: (message: string) => void;
}

export class RedisGateStore implements GateStore {
  private readonly client;
  private readonly fallback = new MemoryGateStore();
  private readonly timeoutMs: number;
  private lastWarning = 0;

  constructor(private readonly options: RedisGateStoreOptions) {
    this.timeoutMs = options.operationTimeoutMs ?? 250;
    // No offline queue: while Redis is unreachable commands fail at once instead of waiting for it.
    this.client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
    });
    this.client.on('error', (error: Error) => this.warn(`circuit-breaker store: Redis error (${error.message}); using per-process state`));
    this.client.connect().catch(() => {});
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < 30_000) return;
    this.lastWarning = now;
    this.options.log?.(message);
  }

  private key(key: string): string {
    return `${this.options.keyPrefix}${key}`;
  }

  async update<T>(key: string, change: (state: GateState) => { next: GateState; result: T }): Promise<T> {
    try {
      return await withTimeout(this.compareAndSetLoop(this.key(key), change), this.timeoutMs);
    } catch (error) {
      this.warn(`circuit-breaker store: ${(error as Error).message}; using per-process state`);
      return this.fallback.update(key, change);
    }
  }

  private async compareAndSetLoop<T>(key: string, change: (state: GateState) => { next: GateState; result: T }): Promise<T> {
    let outcome: { next: GateState; result: T } | undefined;
    for (let round = 0; round < MAX_CAS_ROUNDS; round++) {
      const raw = (await this.client.get(key)) ?? '';
      outcome = change(parseState(raw));
      const nextRaw = JSON.stringify(outcome.next);
      if (nextRaw === raw) return outcome.result;
      const written = await this.client.eval(COMPARE_AND_SET, { keys: [key], arguments: [raw, nextRaw, String(STATE_TTL_MS)] });
      if (written === 1) return outcome.result;
    }
    throw new Error(`state of ${key} kept changing under ${MAX_CAS_ROUNDS} concurrent updates`);
  }

  async read(key: string): Promise<GateState> {
    try {
      return parseState((await withTimeout(this.client.get(this.key(key)), this.timeoutMs)) ?? '');
    } catch {
      return this.fallback.read(key);
    }
  }

  async close(): Promise<void> {
    // destroy, not close: close waits for replies a hung Redis never sends.
    if (this.client.isOpen) this.client.destroy();
  }
}

function parseState(raw: string): GateState {
  if (!raw) return initialGateState();
  try {
    const value = JSON.parse(raw) as GateState;
    return value && typeof value === 'object' && value.breaker ? value : initialGateState();
  } catch {
    return initialGateState();
  }
}

/** Workers write and the API's health check reads provider gates under these keys. */
export const GATE_KEY_PREFIX = 'llm-analysis:';
export const providerGateKey = (taskQueue: string, provider: string) => `${taskQueue}:gate:${provider}`;

export function createGateStore(options: { redisUrl?: string; log?: (message: string) => void }): GateStore {
  return options.redisUrl ? new RedisGateStore({ url: options.redisUrl, keyPrefix: GATE_KEY_PREFIX, log: options.log }) : new MemoryGateStore();
}

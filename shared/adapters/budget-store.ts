/**
 * Where budget ledgers live. With REDIS_URL every API and worker process shares them: a reservation is
 * one Lua script that purges expired reservations, checks every ledger against its limits
 * (`fitsWithin`) and, only if all pass, records the reservation in all of them, atomically. Without
 * Redis the ledgers are per process (same rule, same shape). A reservation carries its expiry, so one
 * held by a worker that died is released after the TTL without anyone settling it.
 */
import { createHash } from 'node:crypto';
import { createClient } from '@redis/client';
import { sumAmounts } from '../core/spend/batch-spend';
import { fitsWithin, type Amount, type LedgerLimits, type LedgerState } from '../core/spend/budget';
import { withTimeout } from './with-timeout';

export interface ReservationRequest {
  id: string;
  ledgers: LedgerLimits[];
  amount: Amount;
  ttlMs: number;
}

export type ReservationOutcome = { ok: true } | { ok: false; ledger: LedgerLimits; state: LedgerState };

export interface LedgerReport extends LedgerState {
  /** `<scope>|<window id>` */
  key: string;
  reservations: number;
}

export interface BudgetStore {
  reserve(request: ReservationRequest): Promise<ReservationOutcome>;
  /** Releases the reservation and records what the call really cost (recorded even if the reservation has expired). */
  settle(id: string, ledgers: LedgerLimits[], actual: Amount): Promise<void>;
  /**
   * Settles many reservations of the same ledgers (a provider batch's items) atomically and at most once
   * per `settlementId`: a retried settlement records nothing twice.
   */
  settleOnce(settlementId: string, ledgers: LedgerLimits[], settlements: { id: string; actual: Amount }[]): Promise<void>;
  /** Spend and live reservations of the named ledgers (`<scope>|<window id>`); absent ones are empty. */
  read(keys: string[]): Promise<LedgerReport[]>;
  /** Every ledger of these window ids (`day:2026-11-30`), whatever its scope. */
  listWindows(windowIds: string[]): Promise<LedgerReport[]>;
  close(): Promise<void>;
}

/** Ledgers stay readable a while after their window closed (GET /api/usage of yesterday's day). */
const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a settlement is remembered: far longer than its activity's retries last. */
const SETTLED_MARK_MS = 7 * DAY_MS;
const emptyState = (): LedgerState => ({ spent: { tokens: 0, nanoUsd: 0 }, reserved: { tokens: 0, nanoUsd: 0 } });

interface MemoryLedger {
  spent: Amount;
  reservations: Map<string, { amount: Amount; expiresAtMs: number }>;
}

export class MemoryBudgetStore implements BudgetStore {
  private readonly ledgers = new Map<string, MemoryLedger>();
  private readonly settled = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  private ledger(key: string): MemoryLedger {
    let ledger = this.ledgers.get(key);
    if (!ledger) this.ledgers.set(key, (ledger = { spent: { tokens: 0, nanoUsd: 0 }, reservations: new Map() }));
    return ledger;
  }

  private stateOf(ledger: MemoryLedger): LedgerReport & { key: string } {
    const now = this.now();
    const state = { key: '', ...emptyState(), reservations: 0 };
    state.spent = { ...ledger.spent };
    for (const [id, reservation] of ledger.reservations) {
      if (reservation.expiresAtMs <= now) {
        ledger.reservations.delete(id);
        continue;
      }
      state.reserved.tokens += reservation.amount.tokens;
      state.reserved.nanoUsd += reservation.amount.nanoUsd;
      state.reservations++;
    }
    return state;
  }

  async reserve({ id, ledgers, amount, ttlMs }: ReservationRequest): Promise<ReservationOutcome> {
    for (const limits of ledgers) {
      const state = this.stateOf(this.ledger(limits.key));
      if (!fitsWithin(state, amount, limits.limit)) return { ok: false, ledger: limits, state: { spent: state.spent, reserved: state.reserved } };
    }
    const expiresAtMs = this.now() + ttlMs;
    for (const limits of ledgers) this.ledger(limits.key).reservations.set(id, { amount, expiresAtMs });
    return { ok: true };
  }

  async settle(id: string, ledgers: LedgerLimits[], actual: Amount): Promise<void> {
    for (const limits of ledgers) {
      const ledger = this.ledger(limits.key);
      ledger.reservations.delete(id);
      ledger.spent.tokens += actual.tokens;
      ledger.spent.nanoUsd += actual.nanoUsd;
    }
  }

  async settleOnce(settlementId: string, ledgers: LedgerLimits[], settlements: { id: string; actual: Amount }[]): Promise<void> {
    if (this.settled.has(settlementId)) return;
    this.settled.add(settlementId);
    for (const { id, actual } of settlements) await this.settle(id, ledgers, actual);
  }

  async read(keys: string[]): Promise<LedgerReport[]> {
    return keys.map((key) => {
      const ledger = this.ledgers.get(key);
      return ledger ? { ...this.stateOf(ledger), key } : { key, ...emptyState(), reservations: 0 };
    });
  }

  async listWindows(windowIds: string[]): Promise<LedgerReport[]> {
    const keys = [...this.ledgers.keys()].filter((key) => windowIds.includes(key.slice(key.indexOf('|') + 1)));
    return this.read(keys);
  }

  async close(): Promise<void> {}
}

/**
 * KEYS: ledger hashes. ARGV: id, tokens, nanoUsd, ttlMs, then per ledger: token limit, nano-dollar limit
 * (-1: none), expire-at ms. Answers {0} when reserved, else {index of the first full ledger, spent tokens,
 * spent nano-dollars, reserved tokens, reserved nano-dollars}. Time is Redis's own, so every process agrees.
 */
const RESERVE = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local tokens, nano, ttl = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
for i, key in ipairs(KEYS) do
  local base = 4 + (i - 1) * 3
  local limitTokens, limitNano = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
  local fields = redis.call('HGETALL', key)
  local st, sn, rt, rn = 0, 0, 0, 0
  for j = 1, #fields, 2 do
    local field, value = fields[j], fields[j + 1]
    if field == 's:t' then st = tonumber(value)
    elseif field == 's:n' then sn = tonumber(value)
    else
      local at, an, exp = string.match(value, '^(%d+):(%d+):(%d+)$')
      if tonumber(exp) <= now then redis.call('HDEL', key, field)
      else rt = rt + tonumber(at); rn = rn + tonumber(an) end
    end
  end
  if (limitTokens >= 0 and st + rt + tokens > limitTokens) or (limitNano >= 0 and sn + rn + nano > limitNano) then
    return { i, st, sn, rt, rn }
  end
end
local entry = ARGV[2] .. ':' .. ARGV[3] .. ':' .. string.format('%d', now + ttl)
for i, key in ipairs(KEYS) do
  redis.call('HSET', key, 'r:' .. ARGV[1], entry)
  redis.call('PEXPIREAT', key, ARGV[4 + (i - 1) * 3 + 3])
end
return { 0 }`;

/** KEYS: ledger hashes. ARGV: id, tokens, nanoUsd, then per ledger its expire-at ms. */
const SETTLE = `
for i, key in ipairs(KEYS) do
  redis.call('HDEL', key, 'r:' .. ARGV[1])
  redis.call('HINCRBY', key, 's:t', ARGV[2])
  redis.call('HINCRBY', key, 's:n', ARGV[3])
  redis.call('PEXPIREAT', key, ARGV[3 + i])
end
return 1`;

/**
 * KEYS: ledger hashes, then the settlement's marker. ARGV: marker TTL ms, total tokens, total nanoUsd,
 * then per ledger its expire-at ms, then the reservation ids. Nothing happens when the marker exists.
 */
const SETTLE_ONCE = `
local ledgers = #KEYS - 1
if not redis.call('SET', KEYS[#KEYS], '1', 'NX', 'PX', ARGV[1]) then return 0 end
for i = 1, ledgers do
  for j = 4 + ledgers, #ARGV do redis.call('HDEL', KEYS[i], 'r:' .. ARGV[j]) end
  redis.call('HINCRBY', KEYS[i], 's:t', ARGV[2])
  redis.call('HINCRBY', KEYS[i], 's:n', ARGV[3])
  redis.call('PEXPIREAT', KEYS[i], ARGV[3 + i])
end
return 1`;

const SCRIPT_SHAS: Record<string, string> = {};

export class RedisBudgetStore implements BudgetStore {
  private readonly client;
  /** The first calls wait for the connection (there is no offline queue to hold them). */
  private readonly connecting: Promise<unknown>;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly timeoutMs = 1_000,
  ) {
    this.client = createClient({
      url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
    });
    this.client.on('error', () => {});
    this.connecting = this.client.connect().catch(() => {});
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    return withTimeout(
      this.connecting.then(() => command()),
      this.timeoutMs,
    );
  }

  private redisKey = (ledgerKey: string) => `${this.prefix}${ledgerKey}`;

  /** EVALSHA (the script body is not sent and hashed at every call), EVAL once when Redis does not know it yet. */
  private async script(source: string, keys: string[], args: string[]): Promise<unknown> {
    const sha = (SCRIPT_SHAS[source] ??= createHash('sha1').update(source).digest('hex'));
    try {
      return await this.client.evalSha(sha, { keys, arguments: args });
    } catch (error) {
      if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      return this.client.eval(source, { keys, arguments: args });
    }
  }
  private expireAt = (ledger: LedgerLimits) => String(ledger.resetsAtMs + (ledger.window === 'minute' || ledger.window === 'hour' ? DAY_MS : 35 * DAY_MS));

  async reserve({ id, ledgers, amount, ttlMs }: ReservationRequest): Promise<ReservationOutcome> {
    if (ledgers.length === 0) return { ok: true };
    const args = [id, String(amount.tokens), String(amount.nanoUsd), String(Math.max(1, Math.round(ttlMs)))];
    for (const ledger of ledgers) args.push(String(ledger.limit.tokens ?? -1), String(ledger.limit.nanoUsd ?? -1), this.expireAt(ledger));
    const answer = (await this.run(() => this.script(RESERVE, ledgers.map((ledger) => this.redisKey(ledger.key)), args))) as number[];
    if (answer[0] === 0) return { ok: true };
    const [index, st, sn, rt, rn] = answer as [number, number, number, number, number];
    return { ok: false, ledger: ledgers[index - 1]!, state: { spent: { tokens: st, nanoUsd: sn }, reserved: { tokens: rt, nanoUsd: rn } } };
  }

  async settle(id: string, ledgers: LedgerLimits[], actual: Amount): Promise<void> {
    if (ledgers.length === 0) return;
    const args = [id, String(actual.tokens), String(actual.nanoUsd), ...ledgers.map(this.expireAt)];
    await this.run(() => this.script(SETTLE, ledgers.map((ledger) => this.redisKey(ledger.key)), args));
  }

  async settleOnce(settlementId: string, ledgers: LedgerLimits[], settlements: { id: string; actual: Amount }[]): Promise<void> {
    if (ledgers.length === 0) return;
    const total = sumAmounts(settlements.map(({ actual }) => actual));
    const keys = [...ledgers.map((ledger) => this.redisKey(ledger.key)), `${this.prefix}settled:${settlementId}`];
    const args = [String(SETTLED_MARK_MS), String(total.tokens), String(total.nanoUsd), ...ledgers.map(this.expireAt), ...settlements.map(({ id }) => id)];
    await this.run(() => this.script(SETTLE_ONCE, keys, args));
  }

  async read(keys: string[]): Promise<LedgerReport[]> {
    const now = Date.now();
    return Promise.all(
      keys.map(async (key) => {
        const fields = (await this.run(() => this.client.hGetAll(this.redisKey(key)))) as Record<string, string>;
        const report: LedgerReport = { key, ...emptyState(), reservations: 0 };
        for (const [field, value] of Object.entries(fields)) {
          if (field === 's:t') report.spent.tokens = Number(value);
          else if (field === 's:n') report.spent.nanoUsd = Number(value);
          else {
            const [tokens, nano, expiresAt] = value.split(':').map(Number);
            if (expiresAt! <= now) continue;
            report.reserved.tokens += tokens!;
            report.reserved.nanoUsd += nano!;
            report.reservations++;
          }
        }
        return report;
      }),
    );
  }

  async listWindows(windowIds: string[]): Promise<LedgerReport[]> {
    const keys: string[] = [];
    await this.run(async () => undefined);
    for await (const batch of this.client.scanIterator({ MATCH: `${this.prefix}*`, COUNT: 500 })) {
      for (const redisKey of batch as unknown as string[]) {
        const key = redisKey.slice(this.prefix.length);
        if (windowIds.includes(key.slice(key.indexOf('|') + 1))) keys.push(key);
      }
    }
    return this.read(keys);
  }

  async close(): Promise<void> {
    if (this.client.isOpen) this.client.destroy();
  }
}

/** One namespace per deployment (task queue), like the operation-mode singleton. */
export function createBudgetStore(options: { redisUrl?: string; taskQueue: string }): BudgetStore {
  return options.redisUrl ? new RedisBudgetStore(options.redisUrl, `llm-analysis:${options.taskQueue}:budget:`) : new MemoryBudgetStore();
}

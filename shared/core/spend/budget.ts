/**
 * Budgets: limits per window (calendar minute, hour, UTC day or month) in tokens or money, the ledgers
 * that count them, and the one rule a reservation must pass. Stores (shared/adapters/budget-store.ts)
 * keep ledgers in memory or in Redis; the Redis script applies the same rule as `fitsWithin`.
 */
import { NANO_USD_PER_USD, type ModelPrice } from './prices';

export const BUDGET_WINDOWS = ['minute', 'hour', 'day', 'month'] as const;
export type BudgetWindow = (typeof BUDGET_WINDOWS)[number];
export const BUDGET_UNITS = ['tokens', 'nanoUsd'] as const;
export type BudgetUnit = (typeof BUDGET_UNITS)[number];

export interface BudgetLimit {
  window: BudgetWindow;
  unit: BudgetUnit;
  amount: number;
}

/** What a client key does once over its budget: refused with 429, or served by the local analyzer at no cost. */
export type OverBudgetAction = 'reject' | 'local';

export interface ClientBudget {
  /** Principal id of the key ("key:1a2b3c4d"): non-secret, the ledgers' scope. */
  scope: string;
  limits: BudgetLimit[];
  overBudget: OverBudgetAction;
}

export const GLOBAL_SCOPE = 'global';

export interface Amount {
  tokens: number;
  nanoUsd: number;
}

export const ZERO: Amount = Object.freeze({ tokens: 0, nanoUsd: 0 });

export interface WindowSpan {
  /** e.g. `day:2026-11-30`; with the scope it names one ledger. */
  id: string;
  startsAtMs: number;
  resetsAtMs: number;
}

export function windowOf(window: BudgetWindow, nowMs: number): WindowSpan {
  const now = new Date(nowMs);
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  const h = now.getUTCHours();
  const min = now.getUTCMinutes();
  const [start, end] =
    window === 'month'
      ? [Date.UTC(y, m, 1), Date.UTC(y, m + 1, 1)]
      : window === 'day'
        ? [Date.UTC(y, m, d), Date.UTC(y, m, d + 1)]
        : window === 'hour'
          ? [Date.UTC(y, m, d, h), Date.UTC(y, m, d, h + 1)]
          : [Date.UTC(y, m, d, h, min), Date.UTC(y, m, d, h, min + 1)];
  const label = new Date(start).toISOString().slice(0, window === 'month' ? 7 : window === 'day' ? 10 : 16);
  return { id: `${window}:${label}`, startsAtMs: start, resetsAtMs: end };
}

/** One ledger a reservation touches: a scope's window with the limits that apply to it. */
export interface LedgerLimits {
  /** `<scope>|<window id>` */
  key: string;
  scope: string;
  window: BudgetWindow;
  resetsAtMs: number;
  limit: Partial<Amount>;
}

/** Windows every scope is counted in, limit or not, so spend is always visible (GET /api/usage). */
export const TRACKED_WINDOWS: readonly BudgetWindow[] = ['day', 'month'];

/** The ledgers a call is charged to: the tracked windows and every window with a limit, of each scope. */
export function ledgersFor(budgets: { scope: string; limits: BudgetLimit[] }[], nowMs: number): LedgerLimits[] {
  const ledgers = new Map<string, LedgerLimits>();
  const ledger = (scope: string, window: BudgetWindow) => {
    const span = windowOf(window, nowMs);
    const key = `${scope}|${span.id}`;
    let found = ledgers.get(key);
    if (!found) ledgers.set(key, (found = { key, scope, window, resetsAtMs: span.resetsAtMs, limit: {} }));
    return found;
  };
  for (const { scope, limits } of budgets) {
    for (const window of TRACKED_WINDOWS) ledger(scope, window);
    for (const limit of limits) {
      const found = ledger(scope, limit.window);
      found.limit[limit.unit] = Math.min(found.limit[limit.unit] ?? Infinity, limit.amount);
    }
  }
  return [...ledgers.values()];
}

/** The ledgers of one call: its client key's (when the key has a budget scope) and the whole service's. */
export function callLedgers(client: { scope: string; limits: BudgetLimit[] } | undefined, globalLimits: BudgetLimit[], nowMs: number): LedgerLimits[] {
  return ledgersFor([...(client ? [client] : []), { scope: GLOBAL_SCOPE, limits: globalLimits }], nowMs);
}

export interface LedgerState {
  spent: Amount;
  reserved: Amount;
}

/** The rule every store applies atomically: what is spent, what others hold, and this call's worst case stay within each limit. */
export function fitsWithin(state: LedgerState, amount: Amount, limit: Partial<Amount>): boolean {
  return (['tokens', 'nanoUsd'] as const).every((unit) => {
    const cap = limit[unit];
    return cap === undefined || state.spent[unit] + state.reserved[unit] + amount[unit] <= cap;
  });
}

/** The first unit over its limit once `amount` more is spent (reservations in flight not counted), or undefined. */
export function exceededUnit(spent: Amount, amount: Amount, limit: Partial<Amount>): BudgetUnit | undefined {
  return (['tokens', 'nanoUsd'] as const).find((unit) => limit[unit] !== undefined && spent[unit] + amount[unit] > limit[unit]!);
}

/** Share of the tightest limit already spent (0 when the ledger has no limit). */
export function spentRatio(spent: Amount, limit: Partial<Amount>): number {
  return Math.max(0, ...(['tokens', 'nanoUsd'] as const).map((unit) => (limit[unit] ? spent[unit] / limit[unit]! : limit[unit] === 0 ? 1 : 0)));
}

/** Per-message framing the providers add around the text (role markers, separators): generous on purpose. */
const TOKENS_PER_MESSAGE = 16;

/**
 * An upper bound of a call's prompt tokens: the tokenizers in use (byte-level BPE) never make more
 * tokens than the text has UTF-8 bytes, plus framing per message.
 */
export function promptTokensUpperBound(texts: string[]): number {
  const encoder = new TextEncoder();
  return texts.reduce((sum, text) => sum + encoder.encode(text).length + TOKENS_PER_MESSAGE, TOKENS_PER_MESSAGE);
}

/** The most a call can cost: every prompt token at the dearest input price (a cache write), `maxTokens` answered. */
export function worstCaseOf(promptTokens: number, maxTokens: number, price: ModelPrice): Amount {
  const inputPrice = Math.max(price.input, price.cacheWrite, price.cacheRead);
  return { tokens: promptTokens + maxTokens, nanoUsd: promptTokens * inputPrice + maxTokens * price.output };
}

export class BudgetSpecError extends Error {}

const WINDOW_ALIASES: Record<string, BudgetWindow> = {
  minute: 'minute',
  'per-minute': 'minute',
  hour: 'hour',
  hourly: 'hour',
  day: 'day',
  daily: 'day',
  month: 'month',
  monthly: 'month',
};

/** `$12.50` / `12.5usd` → money; `200000`, `200000tokens`, `200k`, `2m` → tokens. */
export function parseLimitAmount(raw: string): { unit: BudgetUnit; amount: number } {
  const text = raw.trim().toLowerCase();
  const money = /^\$(\d+(?:\.\d{1,9})?)$/.exec(text) ?? /^(\d+(?:\.\d{1,9})?)\s*usd$/.exec(text);
  if (money) {
    const [whole, fraction = ''] = money[1]!.split('.');
    return { unit: 'nanoUsd', amount: Number(whole) * NANO_USD_PER_USD + Number(fraction.padEnd(9, '0')) };
  }
  const tokens = /^(\d+)\s*(k|m)?\s*(tokens?|tok)?$/.exec(text);
  if (tokens) return { unit: 'tokens', amount: Number(tokens[1]) * (tokens[2] === 'k' ? 1_000 : tokens[2] === 'm' ? 1_000_000 : 1) };
  throw new BudgetSpecError(`"${raw}" is neither money ("$5", "5usd") nor tokens ("200000", "200k", "2m tokens")`);
}

/** `day=$5`, `month=2m tokens`: one limit; `over=local|reject` is handled by the caller. */
export function parseLimits(parts: string[]): { limits: BudgetLimit[]; overBudget?: OverBudgetAction } {
  const limits: BudgetLimit[] = [];
  let overBudget: OverBudgetAction | undefined;
  for (const part of parts) {
    const [name, value] = part.split('=').map((piece) => piece.trim());
    if (!name || value === undefined) throw new BudgetSpecError(`"${part}" is not name=value`);
    if (name === 'over') {
      if (value !== 'local' && value !== 'reject') throw new BudgetSpecError(`over=${value}: expected over=local or over=reject`);
      overBudget = value;
      continue;
    }
    const window = WINDOW_ALIASES[name.toLowerCase()];
    if (!window) throw new BudgetSpecError(`unknown window "${name}" (known: ${Object.keys(WINDOW_ALIASES).join(', ')}, over)`);
    limits.push({ window, ...parseLimitAmount(value) });
  }
  return { limits, ...(overBudget && { overBudget }) };
}

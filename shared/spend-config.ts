/**
 * The spend settings of shared/config.ts: prices (PRICES), budgets per client key (in API_KEYS and
 * ADMIN_API_KEYS) and for the whole service (BUDGET_GLOBAL). A key keeps its old form; limits follow it
 * after semicolons: `API_KEYS=alpha;day=$5;month=$100,beta;day=200k;over=local,gamma`.
 */
import { BudgetSpecError, parseLimits, type BudgetLimit, type OverBudgetAction } from './core/spend/budget';
import { DEFAULT_PRICES, priceTableFromUsd, type PriceTable, type UsdPerMillion } from './core/spend/prices';

export interface ClientKeyBudget {
  /** The bearer token (secret); the auth layer turns it into the non-secret principal id that scopes its ledgers. */
  apiKey: string;
  admin: boolean;
  limits: BudgetLimit[];
  overBudget: OverBudgetAction;
}

export interface SpendConfig {
  prices: PriceTable;
  clientBudgets: ClientKeyBudget[];
  /** Limits on the whole service's spend. */
  globalLimits: BudgetLimit[];
  /** Share of a global limit spent at which the service degrades to light models (at 100 %: local only). */
  degradeAt: number;
  /** A reservation whose worker died is released after this long. */
  reservationTtlMs: number;
}

interface RawSpendSettings {
  apiKeys: string[];
  adminApiKeys: string[];
  PRICES?: string;
  BUDGET_GLOBAL?: string;
  BUDGET_DEGRADE_AT: number;
  BUDGET_RESERVATION_TTL_SECONDS?: number;
  defaultReservationTtlSeconds: number;
}

type Fail = (variable: string, problem: string) => never;

const priceEntry = (value: unknown): value is UsdPerMillion => {
  if (!value || typeof value !== 'object') return false;
  const entry = value as Record<string, unknown>;
  const isPrice = (field: unknown) => typeof field === 'number' && Number.isFinite(field) && field >= 0;
  const isShare = (field: unknown) => field === undefined || (typeof field === 'number' && field >= 0 && field <= 1);
  return isPrice(entry.input) && isPrice(entry.output) && (entry.cacheRead === undefined || isPrice(entry.cacheRead)) && (entry.cacheWrite === undefined || isPrice(entry.cacheWrite)) && isShare(entry.batchDiscount);
};

function parsePrices(raw: string | undefined, fail: Fail): PriceTable {
  if (raw === undefined) return DEFAULT_PRICES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return fail('PRICES', 'is not JSON: expected {"provider/model": {"input": USD per million, "output": …, "cacheRead"?: …, "cacheWrite"?: …, "batchDiscount"?: 0.5}}');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return fail('PRICES', 'must be a JSON object keyed by "provider/model"');
  for (const [key, value] of Object.entries(parsed)) {
    if (!/^[a-z-]+\/.+$/.test(key)) fail('PRICES', `key "${key}" is not "provider/model" (or "provider/*")`);
    if (!priceEntry(value)) fail('PRICES', `"${key}" needs numeric input and output (USD per million tokens, ≥ 0), optional cacheRead and cacheWrite, optional batchDiscount between 0 and 1`);
  }
  return { ...DEFAULT_PRICES, ...priceTableFromUsd(parsed as Record<string, UsdPerMillion>) };
}

function parseKeyEntries(entries: string[], admin: boolean, variable: string, fail: Fail): ClientKeyBudget[] {
  return entries.map((entry) => {
    const [apiKey, ...parts] = entry.split(';').map((part) => part.trim());
    if (!apiKey) return fail(variable, 'has an entry without a key before its limits');
    try {
      const { limits, overBudget } = parseLimits(parts.filter(Boolean));
      return { apiKey, admin, limits, overBudget: overBudget ?? 'reject' };
    } catch (error) {
      // The key itself is never echoed.
      if (error instanceof BudgetSpecError) return fail(variable, `has an invalid limit: ${error.message}`);
      throw error;
    }
  });
}

export function parseSpendConfig(raw: RawSpendSettings, fail: Fail): SpendConfig {
  let globalLimits: BudgetLimit[] = [];
  try {
    const parsed = parseLimits((raw.BUDGET_GLOBAL ?? '').split(';').map((part) => part.trim()).filter(Boolean));
    if (parsed.overBudget) fail('BUDGET_GLOBAL', 'takes no over= (at 100 % the service runs local only)');
    globalLimits = parsed.limits;
  } catch (error) {
    if (error instanceof BudgetSpecError) fail('BUDGET_GLOBAL', `is invalid: ${error.message}`);
    throw error;
  }
  return {
    prices: parsePrices(raw.PRICES, fail),
    clientBudgets: [...parseKeyEntries(raw.apiKeys, false, 'API_KEYS', fail), ...parseKeyEntries(raw.adminApiKeys, true, 'ADMIN_API_KEYS', fail)],
    globalLimits,
    degradeAt: raw.BUDGET_DEGRADE_AT,
    reservationTtlMs: Math.round((raw.BUDGET_RESERVATION_TTL_SECONDS ?? raw.defaultReservationTtlSeconds) * 1000),
  };
}

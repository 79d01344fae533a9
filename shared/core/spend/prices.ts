/**
 * Prices per provider and model, and the exact cost of a usage. Money is an integer count of nano-dollars
 * (1e-9 USD): a price is given in milli-dollars per million tokens, so tokens × price is nano-dollars with
 * no rounding at all, and even a monthly budget of millions of dollars stays a safe JavaScript integer.
 */
import type { ProviderName } from '../providers/catalog';
import type { TokenUsage } from './usage';

export const NANO_USD_PER_USD = 1_000_000_000;

/** Milli-dollars per million tokens (USD 3 per million → 3000). */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Share of every price the provider's batch API takes off (default DEFAULT_BATCH_DISCOUNT). */
  batchDiscount?: number;
}

/** Anthropic Message Batches and OpenAI Batch both bill every token kind at half the synchronous price. */
export const DEFAULT_BATCH_DISCOUNT = 0.5;

/** `provider/model` → price; `provider/*` prices models of that provider that are not listed. */
export type PriceTable = Record<string, ModelPrice>;

/** USD per million tokens, as price lists show them; converted to ModelPrice by `priceFromUsd`. */
export interface UsdPerMillion {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  /** 0.5: the batch API bills half of each price above. */
  batchDiscount?: number;
}

export function priceFromUsd(usd: UsdPerMillion): ModelPrice {
  const milli = (value: number) => Math.round(value * 1000);
  return {
    input: milli(usd.input),
    output: milli(usd.output),
    cacheRead: milli(usd.cacheRead ?? usd.input),
    cacheWrite: milli(usd.cacheWrite ?? usd.input),
    ...(usd.batchDiscount !== undefined && { batchDiscount: usd.batchDiscount }),
  };
}

/**
 * List prices (USD per million tokens) of the catalog's default models. A model of a provider that is
 * not listed is priced at that provider's `*` entry: the dearest listed model, so a budget errs on the
 * safe side. OpenAI bills no cache writes (cached prompt tokens are read at a discount); a self-hosted
 * OpenAI-compatible server costs nothing per token.
 */
export const DEFAULT_PRICES_USD: Record<string, UsdPerMillion> = {
  'anthropic/claude-opus-4-1': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'anthropic/claude-3-5-haiku-latest': { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
  'anthropic/*': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'openai/gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25, cacheWrite: 2.5 },
  'openai/gpt-4o-mini': { input: 0.15, output: 0.6, cacheRead: 0.075, cacheWrite: 0.15 },
  'openai/*': { input: 2.5, output: 10, cacheRead: 1.25, cacheWrite: 2.5 },
  'openai-compatible/*': { input: 0, output: 0 },
  'local/*': { input: 0, output: 0 },
};

export function priceTableFromUsd(usd: Record<string, UsdPerMillion>): PriceTable {
  return Object.fromEntries(Object.entries(usd).map(([key, value]) => [key, priceFromUsd(value)]));
}

export const DEFAULT_PRICES: PriceTable = priceTableFromUsd(DEFAULT_PRICES_USD);

const FREE: ModelPrice = Object.freeze({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });

export function priceOf(table: PriceTable, provider: ProviderName, model: string): ModelPrice {
  if (provider === 'local') return FREE;
  return table[`${provider}/${model}`] ?? table[`${provider}/*`] ?? DEFAULT_PRICES[`${provider}/*`] ?? FREE;
}

export const batchDiscountOf = (price: ModelPrice): number => price.batchDiscount ?? DEFAULT_BATCH_DISCOUNT;

/**
 * The price of the same model through its provider's batch API: each token kind at (1 - discount) of
 * its price, rounded up to a whole nano-dollar per token so costs stay integers and never undercount.
 */
export function batchPriceOf(price: ModelPrice): ModelPrice {
  const share = 1 - batchDiscountOf(price);
  // Rounded to a millionth first: 15000 × 0.7 is 10500.000000000002 in binary floating point.
  const discounted = (value: number) => Math.ceil(Math.round(value * share * 1e6) / 1e6);
  return { input: discounted(price.input), output: discounted(price.output), cacheRead: discounted(price.cacheRead), cacheWrite: discounted(price.cacheWrite), batchDiscount: 0 };
}

/** Exact cost in nano-dollars. */
export function costOf(usage: TokenUsage, price: ModelPrice): number {
  return (
    usage.inputTokens * price.input +
    usage.outputTokens * price.output +
    usage.cacheReadTokens * price.cacheRead +
    usage.cacheWriteTokens * price.cacheWrite
  );
}

/** For display: `0.001234` USD from nano-dollars, without binary rounding noise. */
export function usdOf(nanoUsd: number): number {
  return Number((nanoUsd / NANO_USD_PER_USD).toFixed(9));
}

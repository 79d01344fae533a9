import assert from 'node:assert/strict';
import { addSavings, batchChargeOf, batchReservationTtlMs, batchSavingsOf, batchSettlement, batchWorstCaseOf, BATCH_SETTLE_MARGIN_MS, type BatchReservation } from '../../shared/core/spend/batch-spend';
import { worstCaseOf } from '../../shared/core/spend/budget';
import { batchPriceOf, costOf, DEFAULT_PRICES, priceFromUsd, priceOf } from '../../shared/core/spend/prices';
import { fromAnthropicUsage, fromOpenAiUsage } from '../../shared/core/spend/usage';
import { parseSpendConfig } from '../../shared/spend-config';

describe('spend on the half-price route (pure)', () => {
  const opus = priceOf(DEFAULT_PRICES, 'anthropic', 'claude-opus-4-1');
  const mini = priceOf(DEFAULT_PRICES, 'openai', 'gpt-4o-mini');

  it('prices every token kind at half the synchronous price by default', () => {
    assert.deepEqual(batchPriceOf(opus), { input: 7_500, output: 37_500, cacheRead: 750, cacheWrite: 9_375, batchDiscount: 0 });
  });

  it('rounds a half nano-dollar per token up, never down', () => {
    // gpt-4o-mini reads its cache at $0.075 per million: 75 nano-dollars per token, 37.5 at half price.
    assert.equal(batchPriceOf(mini).cacheRead, 38);
    assert.equal(batchPriceOf(priceFromUsd({ input: 15, output: 75, batchDiscount: 0.3 })).input, 10_500, 'no binary floating-point residue');
  });

  it('takes a per-model discount from the price table (PRICES batchDiscount)', () => {
    const fail = (variable: string, problem: string): never => {
      throw new Error(`${variable} ${problem}`);
    };
    const settings = { apiKeys: [], adminApiKeys: [], BUDGET_DEGRADE_AT: 0.8, defaultReservationTtlSeconds: 600 };
    const { prices } = parseSpendConfig({ ...settings, PRICES: JSON.stringify({ 'anthropic/claude-x': { input: 4, output: 20, batchDiscount: 0.25 } }) }, fail);
    assert.deepEqual(batchPriceOf(priceOf(prices, 'anthropic', 'claude-x')), { input: 3_000, output: 15_000, cacheRead: 3_000, cacheWrite: 3_000, batchDiscount: 0 });
    assert.throws(() => parseSpendConfig({ ...settings, PRICES: JSON.stringify({ 'anthropic/claude-x': { input: 4, output: 20, batchDiscount: 1.5 } }) }, fail), /batchDiscount between 0 and 1/);
  });

  it("charges an Anthropic batch answer's cache tokens on top of input_tokens, at the batch price", () => {
    const usage = fromAnthropicUsage({ input_tokens: 1000, output_tokens: 200, cache_creation_input_tokens: 3000, cache_read_input_tokens: 5000 });
    assert.deepEqual(batchChargeOf(usage, opus), { tokens: 9_200, nanoUsd: 1000 * 7_500 + 200 * 37_500 + 5000 * 750 + 3000 * 9_375 });
    assert.equal(batchChargeOf(usage, opus).nanoUsd * 2, costOf(usage, opus));
  });

  it("charges an OpenAI batch answer's cached tokens once, inside prompt_tokens", () => {
    const usage = fromOpenAiUsage({ prompt_tokens: 3000, completion_tokens: 100, prompt_tokens_details: { cached_tokens: 2048 } });
    const gpt4o = priceOf(DEFAULT_PRICES, 'openai', 'gpt-4o');
    assert.deepEqual(batchChargeOf(usage, gpt4o), { tokens: 3_100, nanoUsd: 952 * 1_250 + 100 * 5_000 + 2048 * 625 });
  });

  it("reserves an item's prompt bound plus max_tokens at the batch price: the same tokens, half the money", () => {
    const batch = batchWorstCaseOf(2_000, 1_024, opus);
    const sync = worstCaseOf(2_000, 1_024, opus);
    assert.deepEqual(batch, { tokens: 3_024, nanoUsd: 2_000 * 9_375 + 1_024 * 37_500 });
    assert.equal(batch.tokens, sync.tokens);
    assert.equal(batch.nanoUsd * 2, sync.nanoUsd);
  });

  it('holds a reservation past the longest wait for the batch, by the settling margin', () => {
    assert.equal(batchReservationTtlMs({ pollIntervalMs: 300_000, maxWaitMs: 25 * 3_600_000 }), 25 * 3_600_000 + BATCH_SETTLE_MARGIN_MS);
    // The last check comes at a whole number of intervals, past maxWait when it is not a multiple.
    assert.equal(batchReservationTtlMs({ pollIntervalMs: 400, maxWaitMs: 1_000 }), 1_200 + BATCH_SETTLE_MARGIN_MS);
    assert.ok(BATCH_SETTLE_MARGIN_MS >= 30 * 60_000);
  });

  it('settles each item to what the provider reported, and an item it said nothing of to its worst case', () => {
    const reservation: BatchReservation = {
      id: 'r1',
      ledgers: [],
      worstCase: { 'item-0': { tokens: 3_000, nanoUsd: 90_000 }, 'item-1': { tokens: 3_000, nanoUsd: 90_000 }, 'item-2': { tokens: 2_000, nanoUsd: 60_000 } },
    };
    assert.deepEqual(batchSettlement(reservation, { 'item-0': { tokens: 700, nanoUsd: 12_345 }, 'item-1': { tokens: 0, nanoUsd: 0 } }), [
      { customId: 'item-0', actual: { tokens: 700, nanoUsd: 12_345 } },
      { customId: 'item-1', actual: { tokens: 0, nanoUsd: 0 } },
      { customId: 'item-2', actual: { tokens: 2_000, nanoUsd: 60_000 } },
    ]);
    // Cancelled, expired at the longest wait, or results lost: every item at its worst case.
    assert.deepEqual(batchSettlement(reservation).map(({ actual }) => actual.nanoUsd), [90_000, 90_000, 60_000]);
  });

  it('shows what the batch answers cost and saved in nano-dollars, summed over items', () => {
    const usage = fromAnthropicUsage({ input_tokens: 1000, output_tokens: 200 });
    const one = batchSavingsOf(usage, opus);
    assert.deepEqual(one, { discount: 0.5, inputTokens: 1000, outputTokens: 200, costNanoUsd: 15_000_000, savedNanoUsd: 15_000_000 });
    assert.deepEqual(addSavings(addSavings(undefined, one), one), { discount: 0.5, inputTokens: 2000, outputTokens: 400, costNanoUsd: 30_000_000, savedNanoUsd: 30_000_000 });
  });
});

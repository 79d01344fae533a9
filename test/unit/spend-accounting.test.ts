import assert from 'node:assert/strict';
import { attemptSpendOf, earlierAttemptSpend, sumSpend } from '../../shared/core/spend/attempt-spend';
import { costOf, DEFAULT_PRICES, priceFromUsd, priceOf, usdOf } from '../../shared/core/spend/prices';
import { stepSpendOf } from '../../shared/core/spend/step-spend';
import { fromAnthropicUsage, fromOpenAiUsage, promptTokens, totalTokens } from '../../shared/core/spend/usage';

describe('spend accounting (pure)', () => {
  const opus = priceOf(DEFAULT_PRICES, 'anthropic', 'claude-opus-4-1');
  const gpt4o = priceOf(DEFAULT_PRICES, 'openai', 'gpt-4o');

  it('Anthropic cache tokens come on top of input_tokens and are priced at their own rates', () => {
    const usage = fromAnthropicUsage({ input_tokens: 1000, output_tokens: 200, cache_creation_input_tokens: 3000, cache_read_input_tokens: 5000 });
    assert.deepEqual(usage, { inputTokens: 1000, outputTokens: 200, cacheReadTokens: 5000, cacheWriteTokens: 3000 });
    assert.equal(promptTokens(usage), 9000);
    // 1000 × $15 + 200 × $75 + 5000 × $1.50 + 3000 × $18.75, per million tokens.
    assert.equal(costOf(usage, opus), 1000 * 15_000 + 200 * 75_000 + 5000 * 1_500 + 3000 * 18_750);
    assert.equal(usdOf(costOf(usage, opus)), 0.09375);
  });

  it('OpenAI cached_tokens are part of prompt_tokens: only the rest is billed at the input price', () => {
    const usage = fromOpenAiUsage({ prompt_tokens: 3000, completion_tokens: 100, prompt_tokens_details: { cached_tokens: 2048 } });
    assert.deepEqual(usage, { inputTokens: 952, outputTokens: 100, cacheReadTokens: 2048, cacheWriteTokens: 0 });
    assert.equal(promptTokens(usage), 3000);
    assert.equal(totalTokens(usage), 3100);
    assert.equal(costOf(usage, gpt4o), 952 * 2_500 + 100 * 10_000 + 2048 * 1_250);
  });

  it('the same bill through either convention costs the same', () => {
    const anthropic = fromAnthropicUsage({ input_tokens: 952, output_tokens: 100, cache_read_input_tokens: 2048, cache_creation_input_tokens: 0 });
    const openai = fromOpenAiUsage({ prompt_tokens: 3000, completion_tokens: 100, prompt_tokens_details: { cached_tokens: 2048 } });
    assert.equal(costOf(anthropic, gpt4o), costOf(openai, gpt4o));
  });

  it('missing or nonsensical usage fields count as zero; cached never exceeds the prompt', () => {
    assert.deepEqual(fromOpenAiUsage(undefined), { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });
    assert.deepEqual(fromOpenAiUsage({ prompt_tokens: 10, completion_tokens: -3, prompt_tokens_details: { cached_tokens: 50 } }), {
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 10,
      cacheWriteTokens: 0,
    });
    assert.deepEqual(fromAnthropicUsage({ input_tokens: 5, output_tokens: 2, cache_read_input_tokens: null }), { inputTokens: 5, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0 });
  });

  it('prices: local is free, unknown models of a provider take its dearest price, self-hosted servers are free', () => {
    assert.equal(costOf({ inputTokens: 1e6, outputTokens: 1e6, cacheReadTokens: 0, cacheWriteTokens: 0 }, priceOf(DEFAULT_PRICES, 'local', 'extractive')), 0);
    assert.deepEqual(priceOf(DEFAULT_PRICES, 'anthropic', 'claude-next'), opus);
    assert.deepEqual(priceOf(DEFAULT_PRICES, 'openai-compatible', 'llama3.1:70b'), priceFromUsd({ input: 0, output: 0 }));
  });

  it('costs are exact integers: a million attempts at $0.15 per million sum without drift', () => {
    const mini = priceOf(DEFAULT_PRICES, 'openai', 'gpt-4o-mini');
    let total = 0;
    for (let i = 0; i < 1_000_000; i++) total += costOf({ inputTokens: 1, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, mini);
    assert.equal(total, 150_000_000);
    assert.equal(usdOf(total), 0.15);
  });

  it('a step counts every attempt it reports (failed ones and repairs included), else the last attempt as before', () => {
    const usage = { inputTokens: 100, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0 };
    const attempts = [attemptSpendOf(1, 'gpt-4o', 'InvalidOutput', usage, gpt4o), attemptSpendOf(2, 'gpt-4o', 'success', usage, gpt4o)];
    const step = stepSpendOf({ inputTokens: 100, outputTokens: 10, attemptSpend: attempts });
    assert.equal(step.inputTokens, 200);
    assert.equal(step.costNanoUsd, 2 * (100 * 2_500 + 10 * 10_000));
    assert.deepEqual(stepSpendOf({ inputTokens: 7, outputTokens: 3 }), { inputTokens: 7, outputTokens: 3 });
    assert.deepEqual(sumSpend([]), { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costNanoUsd: 0 });
    assert.deepEqual(earlierAttemptSpend({ attemptSpend: [attempts[0], { junk: true }] }), [attempts[0]]);
    assert.deepEqual(earlierAttemptSpend(undefined), []);
  });
});

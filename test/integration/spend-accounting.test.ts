import assert from 'node:assert/strict';
import type { JobView } from '../../api/job-view';
import { DEFAULT_PRICES, priceOf } from '../../shared/core/spend/prices';
import { waitFor, request } from '../helpers/http';
import { analyzeToTheEnd, useProviderHarness } from '../helpers/provider-workers';
import type { RunningWorkers } from '../helpers/stack';

const ARTICLE = 'Acme Corporation opens a regional office in Lisbon next spring and plans to hire forty engineers.';
const NOT_JSON = 'Here is my analysis: the company grows.';

/** Cost in nano-dollars of a usage as the emulator bills it (plain input, output, cache reads and writes) at a model's price. */
function expectedCost(provider: 'anthropic' | 'openai', model: string, usage: { input: number; output: number; cacheRead?: number; cacheWrite?: number }) {
  const price = priceOf(DEFAULT_PRICES, provider, model);
  return usage.input * price.input + usage.output * price.output + (usage.cacheRead ?? 0) * price.cacheRead + (usage.cacheWrite ?? 0) * price.cacheWrite;
}

describe('spend accounting against the emulator (real SDKs, usage fields with cache tokens)', function () {
  this.timeout(120_000);
  const harness = useProviderHarness();
  const analyze = (running: RunningWorkers, content = ARTICLE): Promise<JobView> => analyzeToTheEnd(harness.stack, running, content);

  it('Anthropic: cache writes and reads come on top of input_tokens; the job shows tokens and the exact cost', async () => {
    const usage = { input: 1200, output: 300, cacheRead: 4096, cacheWrite: 2048 };
    harness.emulator.provider('anthropic').enqueue({ kind: 'ok', usage });
    const running = await harness.start();
    const view = await analyze(running);
    const model = running.config.providers.anthropic.models.advanced;
    const cost = expectedCost('anthropic', model, usage);
    assert.equal(view.status, 'completed');
    assert.deepEqual(view.tokens, { input: 1200 + 4096 + 2048, output: 300, cacheRead: 4096, cacheWrite: 2048 });
    assert.deepEqual(view.cost, { nanoUsd: cost, usd: cost / 1e9 });
    assert.deepEqual(view.chain[0]?.attemptSpend, [
      { attempt: 1, model, outcome: 'success', inputTokens: 7344, outputTokens: 300, cacheReadTokens: 4096, cacheWriteTokens: 2048, costNanoUsd: cost },
    ]);
    assert.equal(view.result?.meta.costNanoUsd, cost);
  });

  it('OpenAI: cached_tokens are part of prompt_tokens, billed at the cached rate, not twice', async () => {
    const usage = { input: 900, output: 120, cacheRead: 3072 };
    harness.emulator.provider('openai').enqueue({ kind: 'ok', usage });
    const running = await harness.start({ LLM_PROVIDERS: 'openai,local' });
    const view = await analyze(running);
    const model = running.config.providers.openai.models.advanced;
    assert.equal(view.result?.meta.provider, 'openai');
    assert.deepEqual(view.tokens, { input: 3972, output: 120, cacheRead: 3072, cacheWrite: 0 });
    assert.equal(view.cost?.nanoUsd, expectedCost('openai', model, usage));
  });

  it('failed attempts with an answer and their repair requests are counted; an error without an answer costs nothing', async () => {
    const bad = { input: 500, output: 40 };
    const good = { input: 300, output: 70 };
    harness.emulator
      .provider('anthropic')
      // attempt 1: a 500 (no usage); attempt 2: invalid twice (request + repair); attempt 3: invalid, then a valid repair.
      .enqueue({ kind: 'status', status: 500 }, { kind: 'ok', content: NOT_JSON, usage: bad }, { kind: 'ok', content: NOT_JSON, usage: bad }, { kind: 'ok', content: NOT_JSON, usage: bad }, { kind: 'ok', usage: good });
    const running = await harness.start();
    const view = await analyze(running);
    const model = running.config.providers.anthropic.models.advanced;
    assert.equal(view.result?.meta.provider, 'anthropic');
    assert.equal(harness.emulator.provider('anthropic').requests, 5);
    const spend = view.chain[0]!.attemptSpend!;
    assert.deepEqual(spend.map((attempt) => [attempt.attempt, attempt.outcome, attempt.inputTokens, attempt.outputTokens]), [
      [1, 'ServerError', 0, 0],
      [2, 'InvalidOutput', 1000, 80],
      [3, 'success', 800, 110],
    ]);
    const total = 3 * expectedCost('anthropic', model, bad) + expectedCost('anthropic', model, good);
    assert.equal(view.cost?.nanoUsd, total);
    assert.deepEqual(view.tokens, { input: 1800, output: 190, cacheRead: 0, cacheWrite: 0 });
  });

  it('a step that ends failed still reports what its attempts cost, and the fallback adds its own', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'ok', content: NOT_JSON, usage: { input: 100, output: 10 } });
    harness.emulator.provider('openai').enqueue({ kind: 'ok', usage: { input: 200, output: 20 } });
    const running = await harness.start({ ANTHROPIC_RETRY_ATTEMPTS: '2' });
    const view = await analyze(running);
    assert.equal(view.result?.meta.provider, 'openai');
    const [anthropic, openai] = view.chain;
    assert.equal(anthropic?.outcome, 'failed');
    assert.equal(anthropic?.attemptSpend?.length, 2);
    const anthropicCost = 4 * expectedCost('anthropic', running.config.providers.anthropic.models.advanced, { input: 100, output: 10 });
    const openaiCost = expectedCost('openai', running.config.providers.openai.models.advanced, { input: 200, output: 20 });
    assert.deepEqual([anthropic?.costNanoUsd, openai?.costNanoUsd, view.cost?.nanoUsd], [anthropicCost, openaiCost, anthropicCost + openaiCost]);
  });

  it('the local analyzer and a cache hit cost 0', async () => {
    const running = await harness.start();
    const content = `${ARTICLE} Cached ${Date.now()}.`;
    const first = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content } });
    assert.equal(first.status, 202);
    const done = await waitFor(() => request(running.apiUrl, 'GET', first.body.links.self), (response) => response.body.status === 'completed', 60_000);
    assert.ok(done.body.cost.nanoUsd > 0);
    const hit = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content } });
    assert.equal(hit.status, 200);
    assert.deepEqual(hit.body.cost, { nanoUsd: 0, usd: 0 });
    assert.equal(hit.body.result.meta.costNanoUsd, 0);
    const local = await analyze(await harness.start({ LLM_PROVIDERS: 'local' }));
    assert.deepEqual(local.cost, { nanoUsd: 0, usd: 0 });
  });
});

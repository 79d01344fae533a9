/**
 * Budgets on the half-price route against real parts: API, workers and Temporal dev server, Redis
 * ledgers, the real SDKs against the emulator's batch APIs. Each batch item is reserved at the batch
 * price before it is sent and settled after the batch: to its cost, or to its worst case when nothing
 * was heard of it.
 */
import assert from 'node:assert/strict';
import { buildAnalysisPrompt } from '../../shared/core/providers/prompt';
import { batchWorstCaseOf } from '../../shared/core/spend/batch-spend';
import { promptTokensUpperBound } from '../../shared/core/spend/budget';
import { DEFAULT_PRICES, priceOf } from '../../shared/core/spend/prices';
import { request, waitFor } from '../helpers/http';
import { useProviderHarness } from '../helpers/provider-workers';
import type { RunningWorkers } from '../helpers/stack';

const FAST_POLLING = { DEFERRED_POLL_INTERVAL_SECONDS: '0.2', RATE_LIMIT_PER_MINUTE: '100000' };
const MAX_TOKENS = 1024;
// Same length for every i in 10..99: every item has the same worst case.
const text = (i: number) => `Budgeted document ${i}: Acme Corporation opens office number ${i} in Porto and hires ${i + 10} engineers.`;
const as = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

/** What one item holds while its batch waits: the prompt's token bound plus max_tokens, at the batch price. */
function batchWorstCase(content: string, provider: 'anthropic' | 'openai', model: string) {
  const prompt = buildAnalysisPrompt(content, 'full');
  return batchWorstCaseOf(promptTokensUpperBound([prompt.system, ...prompt.messages.map((message) => message.content)]), MAX_TOKENS, priceOf(DEFAULT_PRICES, provider, model));
}

/** `$0.000123456`: a money limit of exactly this many nano-dollars. */
const dollars = (nanoUsd: number) => `$${Math.floor(nanoUsd / 1e9)}.${String(nanoUsd % 1e9).padStart(9, '0')}`;

interface Ledger {
  scope: string;
  window: string;
  spent: { tokens: number; nanoUsd: number };
  reserved: { tokens: number; nanoUsd: number; count: number };
}

describe('budgets on the half-price route (real Redis, Temporal and SDKs against the emulator)', function () {
  this.timeout(180_000);
  const harness = useProviderHarness({ redis: true });

  const dayLedger = async (running: RunningWorkers, key: string, scope?: string): Promise<Ledger> => {
    const usage = await request(running.apiUrl, 'GET', '/api/usage', as(key));
    assert.equal(usage.status, 200, JSON.stringify(usage.body));
    return usage.body.ledgers.find((ledger: Ledger) => ledger.window === 'day' && ledger.scope === (scope ?? usage.body.scope));
  };
  const finishedJob = (running: RunningWorkers, key: string, jobId: string) =>
    waitFor(async () => (await request(running.apiUrl, 'GET', `/api/jobs/${jobId}?wait=10`, as(key))).body, (body) => ['completed', 'failed', 'cancelled'].includes(body.status), 60_000);

  it('a deferred batch with room for 3 of 5 items: exactly 3 go to the provider batch, 2 down the chain past it (to local, as a sync step the budget refuses); the ledgers equal the costs to the nano-dollar', async () => {
    const w = batchWorstCase(text(10), 'anthropic', 'claude-opus-4-1');
    // Room for 3.5 items at the batch price: 1.75 synchronous calls, so a reservation at the sync price would let only one through.
    const running = await harness.start({
      REDIS_URL: harness.redis.url,
      API_KEYS: `alpha-key;day=${dollars(Math.floor(3.5 * w.nanoUsd))}`,
      ADMIN_API_KEYS: 'root-key',
      LLM_PROVIDERS: 'anthropic,local',
      ...FAST_POLLING,
    });
    const anthropic = harness.emulator.provider('anthropic').setBatchBehaviour({ processingMs: 2_500 });
    const usages = [
      { input: 210, output: 120, cacheRead: 0, cacheWrite: 64 },
      { input: 150, output: 90, cacheRead: 64, cacheWrite: 0 },
      { input: 230, output: 101, cacheRead: 0, cacheWrite: 0 },
    ];
    anthropic.enqueue(...usages.map((usage) => ({ kind: 'ok' as const, usage })));
    const documentIds: string[] = [];
    for (let i = 10; i < 15; i++) documentIds.push((await harness.stack.documents.create({ content: text(i) })).id);

    const started = await request(running.apiUrl, 'POST', '/api/analyze/batch', { json: { documentIds, deferred: true, concurrency: 2 }, ...as('alpha-key') });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.equal(started.body.deferred, true, 'a limited key takes the half-price route');

    // While the provider batch waits, its three items hold their worst case in the key's ledger and the global one.
    await waitFor(async () => (await request(running.apiUrl, 'GET', `/api/batches/${started.body.batchId}`, as('alpha-key'))).body, (body) => body.providerBatch?.status === 'waiting', 30_000);
    const waiting = await dayLedger(running, 'alpha-key');
    assert.deepEqual(waiting.reserved, { tokens: 3 * w.tokens, nanoUsd: 3 * w.nanoUsd, usd: waiting.reserved.nanoUsd / 1e9, count: 3 });
    assert.equal((await dayLedger(running, 'root-key', 'global')).reserved.count, 3);

    const batch = await waitFor(async () => (await request(running.apiUrl, 'GET', `/api/batches/${started.body.batchId}`, as('alpha-key'))).body, (body) => body.status !== 'running', 60_000);
    assert.equal(batch.status, 'completed', JSON.stringify(batch));
    assert.equal(batch.counts.completed, 5);
    const [submitted, ...others] = anthropic.batches.all();
    assert.equal(others.length, 0);
    assert.equal(submitted!.items.length, 3, 'exactly the three items the budget holds were sent');
    assert.deepEqual(batch.children.map((child: { route: string; provider: string }) => [child.route, child.provider]), [
      ['batch', 'anthropic'],
      ['batch', 'anthropic'],
      ['batch', 'anthropic'],
      ['sync', 'local'],
      ['sync', 'local'],
    ]);
    assert.equal(anthropic.requestLog.filter((entry) => entry.path === '/anthropic/v1/messages').length, 0, 'no synchronous call');

    // Claude Opus 4.1 at half price per million tokens: input $7.50, output $37.50, cache read $0.75, cache write $9.375.
    const expected = usages.reduce((sum, u) => sum + u.input * 7_500 + u.output * 37_500 + u.cacheRead * 750 + u.cacheWrite * 9_375, 0);
    const children = await Promise.all(batch.children.filter((child: { jobId?: string }) => child.jobId).map((child: { jobId: string }) => finishedJob(running, 'alpha-key', child.jobId)));
    const childCosts = children.reduce((sum, job) => sum + job.cost.nanoUsd, 0);
    assert.equal(childCosts, 0, 'the local analyzer costs nothing');
    assert.equal(batch.savings.costNanoUsd, expected);
    assert.equal(batch.savings.savedNanoUsd, expected, 'half price: what was paid is what was saved');
    const tokens = usages.reduce((sum, u) => sum + u.input + u.output + u.cacheRead + u.cacheWrite, 0);
    for (const ledger of [await dayLedger(running, 'alpha-key'), await dayLedger(running, 'root-key', 'global')]) {
      assert.deepEqual(ledger.spent, { tokens, nanoUsd: batch.savings.costNanoUsd + childCosts, usd: ledger.spent.nanoUsd / 1e9 }, ledger.scope);
      assert.equal(ledger.reserved.count, 0, `${ledger.scope}: every reservation settled`);
    }
  });

  it('a key with room for a batch item but not for a synchronous call: 429 for the synchronous request, the deferred one is admitted and answered through the batch', async () => {
    const w = batchWorstCase(text(50), 'anthropic', 'claude-opus-4-1');
    const running = await harness.start({ REDIS_URL: harness.redis.url, API_KEYS: `epsilon-key;day=${dollars(Math.floor(1.5 * w.nanoUsd))}`, LLM_PROVIDERS: 'anthropic,local', ...FAST_POLLING });
    harness.emulator.provider('anthropic').setBatchBehaviour({ processingMs: 300 });
    const now = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content: text(50) }, ...as('epsilon-key') });
    assert.equal(now.status, 429, JSON.stringify(now.body));
    assert.equal(now.body.error.code, 'budget_exceeded');
    const deferred = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content: text(50), deferred: true }, ...as('epsilon-key') });
    assert.equal(deferred.status, 202, JSON.stringify(deferred.body));
    const job = await finishedJob(running, 'epsilon-key', deferred.body.jobId);
    assert.deepEqual([job.status, job.route, job.result.meta.provider], ['completed', 'batch', 'anthropic'], JSON.stringify(job));
    assert.equal((await dayLedger(running, 'epsilon-key')).spent.nanoUsd, job.cost.nanoUsd);
  });

  it("a deferred OpenAI request: cached tokens inside prompt_tokens charged once at the batch price; the job's cost is the ledger's", async () => {
    const running = await harness.start({ REDIS_URL: harness.redis.url, API_KEYS: 'beta-key;month=$10', LLM_PROVIDERS: 'openai,local', ...FAST_POLLING });
    const openai = harness.emulator.provider('openai').setBatchBehaviour({ processingMs: 300 });
    openai.enqueue({ kind: 'ok', usage: { input: 180, output: 77, cacheRead: 128 } });
    const started = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content: text(20), deferred: true }, ...as('beta-key') });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const job = await finishedJob(running, 'beta-key', started.body.jobId);
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.equal(job.route, 'batch');
    // GPT-4o at half price per million tokens: input $1.25, cached input $0.625, output $5.
    const cost = 180 * 1_250 + 128 * 625 + 77 * 5_000;
    assert.deepEqual(job.cost, { nanoUsd: cost, usd: cost / 1e9 });
    assert.deepEqual(job.tokens, { input: 308, output: 77, cacheRead: 128, cacheWrite: 0 });
    // Every GPT-4o price halves exactly: the synchronous price was twice what was paid.
    assert.deepEqual(job.savings, { discount: 0.5, inputTokens: 308, outputTokens: 77, costNanoUsd: cost, savedNanoUsd: cost });
    assert.deepEqual(job.chain[0].attemptSpend, [{ attempt: 1, model: 'gpt-4o', outcome: 'success', inputTokens: 308, outputTokens: 77, cacheReadTokens: 128, cacheWriteTokens: 0, costNanoUsd: cost }]);
    const ledger = await dayLedger(running, 'beta-key');
    assert.deepEqual([ledger.spent.tokens, ledger.spent.nanoUsd, ledger.reserved.count], [385, cost, 0]);
  });

  it('a batch cancelled at the longest wait settles at its worst case: the provider may have run it', async () => {
    const running = await harness.start({ REDIS_URL: harness.redis.url, API_KEYS: 'gamma-key;day=$50', LLM_PROVIDERS: 'anthropic,local', ...FAST_POLLING, DEFERRED_MAX_WAIT_SECONDS: '1' });
    const anthropic = harness.emulator.provider('anthropic').setBatchBehaviour({ processingMs: 60_000 });
    const started = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content: text(30), deferred: true }, ...as('gamma-key') });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const job = await finishedJob(running, 'gamma-key', started.body.jobId);
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.deepEqual(job.chain.map((step: { provider: string; route?: string; errorType?: string }) => [step.provider, step.route, step.errorType]), [
      ['anthropic', 'batch', 'BatchItemExpired'],
      ['anthropic', undefined, undefined],
    ]);
    assert.ok(anthropic.requestLog.some((entry) => entry.path.endsWith('/cancel')), 'the batch was cancelled');
    const w = batchWorstCase(text(30), 'anthropic', 'claude-opus-4-1');
    const sync = job.chain[1];
    const ledger = await dayLedger(running, 'gamma-key');
    assert.equal(ledger.spent.nanoUsd, w.nanoUsd + sync.costNanoUsd, 'the cancelled item at its worst case, plus the synchronous call at its cost');
    assert.equal(ledger.spent.tokens, w.tokens + sync.inputTokens + sync.outputTokens);
    assert.equal(ledger.reserved.count, 0);
  });

  it('a job cancelled while its batch waits withdraws the batch and settles it at its worst case', async () => {
    const running = await harness.start({ REDIS_URL: harness.redis.url, API_KEYS: 'delta-key;day=$50', LLM_PROVIDERS: 'anthropic,local', ...FAST_POLLING });
    const anthropic = harness.emulator.provider('anthropic').setBatchBehaviour({ processingMs: 60_000 });
    const started = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content: text(40), deferred: true }, ...as('delta-key') });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const w = batchWorstCase(text(40), 'anthropic', 'claude-opus-4-1');
    await waitFor(() => dayLedger(running, 'delta-key'), (ledger) => ledger?.reserved.count === 1, 30_000);
    assert.equal((await request(running.apiUrl, 'DELETE', `/api/jobs/${started.body.jobId}`, as('delta-key'))).status, 202);
    const job = await finishedJob(running, 'delta-key', started.body.jobId);
    assert.equal(job.status, 'cancelled');
    assert.ok(anthropic.requestLog.some((entry) => entry.path.endsWith('/cancel')), 'the batch was withdrawn');
    const ledger = await waitFor(() => dayLedger(running, 'delta-key'), (found) => found.reserved.count === 0, 30_000);
    assert.deepEqual([ledger.spent.tokens, ledger.spent.nanoUsd], [w.tokens, w.nanoUsd]);
  });
});

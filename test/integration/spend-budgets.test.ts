import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from '../../api/job-view';
import { buildAnalysisPrompt } from '../../shared/core/providers/prompt';
import { promptTokensUpperBound } from '../../shared/core/spend/budget';
import { request, waitFor } from '../helpers/http';
import { providerEnv, useProviderHarness } from '../helpers/provider-workers';
import type { RunningWorkers } from '../helpers/stack';

const ARTICLE = 'Acme Corporation opens a regional office in Lisbon next spring and plans to hire forty engineers.';
const MAX_TOKENS = 1024;

/** What the budget reserves for one request on `content`: the prompt's token upper bound plus max_tokens. */
const worstCaseTokens = (content: string) => {
  const prompt = buildAnalysisPrompt(content, 'full');
  return promptTokensUpperBound([prompt.system, ...prompt.messages.map((message) => message.content)]) + MAX_TOKENS;
};

describe('budgets at their limit: 429, over=local, GET /api/usage, the global budget switching the mode and its recovery', function () {
  this.timeout(180_000);
  const harness = useProviderHarness({ redis: true });
  const as = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });
  const finish = (running: RunningWorkers, key: string, path: string) =>
    waitFor(() => request(running.apiUrl, 'GET', path, as(key)), (response) => ['completed', 'failed'].includes(response.body.status), 60_000);

  it("a client over its budget gets 429 with Retry-After to the window's reset and the budget named; over=local clients get the local analyzer", async () => {
    const running = await harness.start({
      REDIS_URL: harness.redis.url,
      API_KEYS: 'alpha-key;hour=6000,beta-key;hour=1;over=local',
      ADMIN_API_KEYS: 'root-key',
    });
    harness.emulator.provider('anthropic').enqueue({ kind: 'ok', usage: { input: 5000, output: 100 } });
    const first = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content: `${ARTICLE} one` }, ...as('alpha-key') });
    assert.equal(first.status, 202);
    const done = await finish(running, 'alpha-key', first.body.links.self);
    assert.equal(done.body.result.meta.provider, 'anthropic');

    const refused = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content: `${ARTICLE} two` }, ...as('alpha-key') });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'budget_exceeded');
    assert.match(refused.body.error.budget.key, /^key:[0-9a-f]{8}\|hour:/);
    assert.deepEqual([refused.body.error.budget.unit, refused.body.error.budget.limit, refused.body.error.budget.spent], ['tokens', 6000, 5100]);
    const retryAfter = Number(refused.headers.get('retry-after'));
    const untilReset = (Date.parse(refused.body.error.budget.resetsAt) - Date.now()) / 1000;
    assert.ok(retryAfter > 0 && retryAfter <= 3600 && Math.abs(retryAfter - untilReset) <= 2, `Retry-After ${retryAfter}, reset in ${untilReset} s`);
    assert.equal(harness.emulator.provider('anthropic').requests, 1);

    const usage = await request(running.apiUrl, 'GET', '/api/usage', as('alpha-key'));
    assert.equal(usage.status, 200);
    const hour = usage.body.ledgers.find((ledger: { window: string }) => ledger.window === 'hour');
    assert.deepEqual([hour.spent.tokens, hour.limit.tokens, hour.reserved.count], [5100, 6000, 0]);
    assert.equal(hour.spent.nanoUsd, done.body.cost.nanoUsd);
    assert.ok(usage.body.ledgers.every((ledger: { scope: string }) => ledger.scope === usage.body.scope), 'a client sees only its own ledgers');

    const local = await request(running.apiUrl, 'POST', '/api/analyze', { json: { content: `${ARTICLE} three` }, ...as('beta-key') });
    assert.equal(local.status, 202);
    const localDone = await finish(running, 'beta-key', local.body.links.self);
    assert.equal(localDone.body.result.meta.provider, 'local');
    assert.deepEqual(localDone.body.cost, { nanoUsd: 0, usd: 0 });
    assert.equal(harness.emulator.provider('anthropic').requests, 1, 'nothing sent for the client over budget');

    const admin = await request(running.apiUrl, 'GET', '/api/usage', as('root-key'));
    const scopes = new Set(admin.body.ledgers.map((ledger: { scope: string }) => ledger.scope));
    assert.ok(scopes.has('global') && scopes.has(usage.body.scope), JSON.stringify([...scopes]));
    const globalDay = admin.body.ledgers.find((ledger: { scope: string; window: string }) => ledger.scope === 'global' && ledger.window === 'day');
    assert.equal(globalDay.spent.tokens, 5100);
  });

  it('the global budget degrades the mode at 80 %, switches remote providers off when spent, and recovers at the window reset', async () => {
    // Everything below happens within one calendar minute (the budget's window); start early in a fresh one.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 20_000) await sleep(60_000 - intoMinute + 200);
    const w = worstCaseTokens(ARTICLE);
    const running = await harness.stack.startWorkers(
      providerEnv(harness.emulator, {
        REDIS_URL: harness.redis.url,
        BUDGET_GLOBAL: `minute=${5 * w}`,
        HEALTH_CHECK_INTERVAL_SECONDS: '1',
        LLM_PROVIDERS: 'anthropic,local',
      }),
      { healthSchedule: true },
    );
    harness.workers = running;
    const api = (method: string, path: string) => request(running.apiUrl, method, path);
    const analyze = async (): Promise<JobView> => {
      const document = await harness.stack.documents.create({ content: ARTICLE });
      const job = await running.jobs.start({ documentId: document.id, analysisType: 'full' });
      return (await waitFor(() => running.jobs.read(job.jobId), (view) => view?.status === 'completed' || view?.status === 'failed', 60_000))!;
    };
    await waitFor(() => api('GET', '/api/operation-mode'), (response) => response.status === 200 && response.body.budget?.level === 'ok', 20_000);

    // 80 % of the minute's tokens spent → DEGRADED, light models.
    harness.emulator.provider('anthropic').enqueue({ kind: 'ok', usage: { input: 4 * w - 100, output: 100 } });
    assert.equal((await analyze()).result?.meta.provider, 'anthropic');
    const degraded = await waitFor(() => api('GET', '/api/operation-mode'), (response) => response.body.budget?.level === 'degraded', 20_000);
    assert.equal(degraded.body.mode, 'DEGRADED');
    assert.equal(degraded.body.audit.at(-1).cause, 'budget');
    assert.ok(degraded.body.reasons.some((reason: { component: string }) => reason.component === 'budget'));

    // The last room is used (light tier now) → exhausted: remote providers off, local only.
    harness.emulator.provider('anthropic').enqueue({ kind: 'ok', usage: { input: w - 103, output: 100 } });
    const light = await analyze();
    assert.deepEqual([light.result?.meta.provider, light.result?.meta.tier], ['anthropic', 'light']);
    const exhausted = await waitFor(() => api('GET', '/api/operation-mode'), (response) => response.body.budget?.level === 'exhausted', 20_000);
    assert.equal(exhausted.body.mode, 'DEGRADED');
    assert.deepEqual([exhausted.body.flags.enable_remote_providers.value, exhausted.body.flags.enable_remote_providers.reason], [false, 'BUDGET']);
    const requestsBefore = harness.emulator.provider('anthropic').requests;
    const localJob = await analyze();
    assert.equal(localJob.result?.meta.provider, 'local');
    // The worker reads the mode through a short memo: an attempt that still saw remote providers on is
    // stopped by the budget guard instead. Either way no request reaches the provider.
    assert.ok(['RemoteProvidersDisabled', 'BudgetExceeded'].includes(localJob.chain[0]?.errorType ?? ''), localJob.chain[0]?.errorType);
    assert.equal(harness.emulator.provider('anthropic').requests, requestsBefore);
    const usage = await api('GET', '/api/usage');
    const minute = usage.body.ledgers.find((ledger: { scope: string; window: string }) => ledger.scope === 'global' && ledger.window === 'minute');
    assert.ok(minute.spent.tokens <= 5 * w, 'never over the limit');
    assert.equal(minute.spent.tokens, 5 * w - 3);

    // The minute ends: the next check finds a fresh window and hands the mode back.
    const recovered = await waitFor(() => api('GET', '/api/operation-mode'), (response) => response.body.mode === 'NORMAL', 90_000);
    assert.equal(recovered.body.budget.level, 'ok');
    assert.deepEqual(
      recovered.body.audit.map((entry: { cause: string; to: string }) => [entry.cause, entry.to]),
      [['budget', 'DEGRADED'], ['budget', 'NORMAL']],
    );
    assert.equal((await analyze()).result?.meta.provider, 'anthropic');
  });
});

/**
 * Reservations shared by real processes: an API and two worker processes with their own DATA_DIRs share
 * Redis (the budget ledgers), Postgres and Temporal. Fifty concurrent jobs meet a client budget with
 * room for exactly ten provider requests: at most ten are sent, and the ledger never goes over by one token.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { buildAnalysisPrompt } from '../../shared/core/providers/prompt';
import { promptTokensUpperBound } from '../../shared/core/spend/budget';
import { startProviderEmulator, type ProviderEmulator } from '../emulator/provider-emulator';
import { request, waitFor } from '../helpers/http';
import { providerEnv } from '../helpers/provider-workers';
import { activityTasksByWorker, identityPid, startScaleOutCluster, type ScaleOutCluster } from '../helpers/scale-out';
import { getTestStack, type TestStack } from '../helpers/stack';

const MAX_TOKENS = 256;
const KEY = 'tenant-key';

describe('budget reservations across two worker processes (real Redis)', function () {
  this.timeout(600_000);
  let stack: TestStack;
  let emulator: ProviderEmulator;
  let cluster: ScaleOutCluster | undefined;
  before(async function () {
    this.timeout(300_000);
    stack = await getTestStack();
    emulator = await startProviderEmulator();
  });
  after(async () => {
    await cluster?.stop();
    await emulator?.close();
  });

  it('50 concurrent jobs against a budget with room for 10 requests: at most 10 reach the provider, no overspend by a single token', async () => {
    const tag = randomUUID().slice(0, 8);
    // Equal lengths, so every request has the same worst case.
    const texts = Array.from({ length: 50 }, (_, i) => `Report ${tag}-${String(i).padStart(2, '0')}: Acme Corp opened an office in Berlin. Customers love it.`);
    const prompt = buildAnalysisPrompt(texts[0]!, 'full');
    const worstCase = promptTokensUpperBound([prompt.system, ...prompt.messages.map((message) => message.content)]) + MAX_TOKENS;
    const limit = 10 * worstCase;
    // Each answer bills exactly its worst case, so spend can only ever hold ten of them; the delay makes them overlap.
    emulator.provider('anthropic').setDefault({ kind: 'ok', usage: { input: worstCase - MAX_TOKENS, output: MAX_TOKENS }, delayMs: 300 });
    cluster = await startScaleOutCluster(stack.client, stack.env, {
      workers: 2,
      env: providerEnv(emulator, {
        LLM_PROVIDERS: 'anthropic,local',
        API_KEYS: `${KEY};day=${limit}`,
        ANTHROPIC_MAX_TOKENS: String(MAX_TOKENS),
        ANTHROPIC_MAX_CONCURRENCY: '50',
        ANTHROPIC_RATE_LIMIT: '100000',
        // A request given up on stays charged at its worst case (it may have been billed); a long timeout keeps this test about concurrency.
        ANTHROPIC_TIMEOUT_SECONDS: '60',
      }),
    });
    const auth = { authorization: `Bearer ${KEY}` };

    const submitted = await Promise.all(texts.map((content) => request(cluster!.apiUrl, 'POST', '/api/analyze', { json: { content }, headers: auth })));
    const statuses = submitted.map((response) => response.status);
    assert.ok(statuses.every((status) => status === 202 || status === 429), JSON.stringify(statuses));
    const jobIds = submitted.filter((response) => response.status === 202).map((response) => response.body.jobId as string);
    const views = await Promise.all(
      jobIds.map(async (jobId) => (await waitFor(() => request(cluster!.apiUrl, 'GET', `/api/jobs/${jobId}`, { headers: auth }), (r) => ['completed', 'failed'].includes(r.body.status), 180_000)).body),
    );
    assert.deepEqual(views.map((view) => view.status), jobIds.map(() => 'completed'), 'every admitted job ends with an answer (local when the budget refused)');

    const remote = views.filter((view) => view.result.meta.provider === 'anthropic');
    const refused = views.filter((view) => view.chain[0]?.errorType === 'BudgetExceeded');
    console.log(`      ${statuses.filter((s) => s === 202).length} admitted, ${statuses.filter((s) => s === 429).length} refused with 429; ${remote.length} remote, ${refused.length} fell to local (BudgetExceeded)`);
    assert.ok(remote.length >= 1 && remote.length <= 10, `${remote.length} remote`);
    assert.equal(emulator.provider('anthropic').requests, remote.length, 'no request without a reservation');
    assert.equal(remote.length + refused.length, views.length);

    const usage = await request(cluster.apiUrl, 'GET', '/api/usage', { headers: auth });
    const day = usage.body.ledgers.find((ledger: { window: string }) => ledger.window === 'day');
    assert.ok(day.spent.tokens <= limit, `spent ${day.spent.tokens} of ${limit}`);
    assert.equal(day.spent.tokens, remote.length * worstCase);
    assert.equal(day.spent.nanoUsd, views.reduce((sum, view) => sum + view.cost.nanoUsd, 0), 'the ledger and the jobs agree to the nano-dollar');
    assert.equal(day.reserved.count, 0, 'every reservation settled');

    const byWorker = await activityTasksByWorker(stack.client, jobIds);
    const pids = new Set([...byWorker.keys()].map(identityPid));
    assert.ok(cluster.workers.every((worker) => pids.has(worker.child.pid!)), 'both worker processes took part');
  });
});

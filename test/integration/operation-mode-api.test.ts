import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request, waitFor } from '../helpers/http';
import { providerEnv, useProviderHarness } from '../helpers/provider-workers';
import { FEATURE_FLAGS } from '../../shared/core/operation-mode/feature-flags';
import { operationModeWorkflowId } from '../../shared/core/operation-mode/messages';

const uniqueText = () => `Acme Corporation opens a regional office in Lisbon (${randomUUID()}). Forty engineers will be hired.`;

describe('operation mode through the API: effects on analysis, overrides, health-driven transitions', function () {
  this.timeout(120_000);
  const harness = useProviderHarness({ redis: true });
  const api = (method: string, path: string, json?: unknown) => request(harness.workers!.apiUrl, method, path, json === undefined ? {} : { json });
  const setMode = async (mode: string, extra: object = {}) => {
    const response = await api('PUT', '/api/operation-mode', { mode, reason: `test sets ${mode}`, ...extra });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response;
  };
  const analyzeNew = async () => {
    const created = await api('POST', '/api/documents', { content: uniqueText() });
    return { documentId: created.body.id as string, response: await api('POST', '/api/analyze', { documentId: created.body.id }) };
  };
  const finish = (jobId: string) =>
    waitFor(() => api('GET', `/api/jobs/${jobId}`), (response) => ['completed', 'failed'].includes(response.body.status), 60_000);

  it('NORMAL analyzes with the advanced model tier', async () => {
    const workers = await harness.start();
    const { response } = await analyzeNew();
    assert.equal(response.status, 202);
    assert.equal(response.body.tier, 'advanced');
    const done = await finish(response.body.jobId);
    assert.equal(done.body.result.meta.model, workers.config.providers.anthropic.models.advanced);
    assert.equal(done.body.chain[0].tier, 'advanced');
  });

  it('DEGRADED switches to the light model tier and records it on the job', async () => {
    const workers = await harness.start();
    await setMode('DEGRADED');
    const { response } = await analyzeNew();
    assert.equal(response.status, 202);
    assert.equal(response.body.tier, 'light');
    const done = await finish(response.body.jobId);
    assert.equal(done.body.result.meta.model, workers.config.providers.anthropic.models.light);
    assert.equal(done.body.result.meta.tier, 'light');
    assert.equal(done.body.chain[0].tier, 'light');
  });

  for (const mode of ['EMERGENCY', 'MAINTENANCE']) {
    it(`${mode} answers 503 with Retry-After naming the mode and reason, and still serves cached results`, async () => {
      await harness.start({ HEALTH_CHECK_INTERVAL_SECONDS: '15' });
      const earlier = await analyzeNew();
      await finish(earlier.response.body.jobId);
      await setMode(mode);

      const { response } = await analyzeNew();
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '15');
      assert.equal(response.body.error.code, 'analysis_disabled');
      assert.match(response.body.error.message, new RegExp(`${mode}.*test sets ${mode}`));

      const cached = await api('POST', '/api/analyze', { documentId: earlier.documentId });
      assert.equal(cached.status, 200);
      assert.equal(cached.body.result.meta.cached, true);
      assert.equal((await api('GET', '/api/health/ready')).status, 503);
    });
  }

  it('an override with an expiry hands control back to health, each transition audited once', async () => {
    await harness.start();
    await setMode('MAINTENANCE', { expiresAt: new Date(Date.now() + 2_000).toISOString() });
    assert.equal((await api('GET', '/api/operation-mode')).body.mode, 'MAINTENANCE');
    const after = await waitFor(() => api('GET', '/api/operation-mode'), (response) => response.body.mode === 'NORMAL', 15_000);
    assert.deepEqual(after.body.audit.map((entry: { from: string; to: string; cause: string }) => [entry.from, entry.to, entry.cause]), [
      ['NORMAL', 'MAINTENANCE', 'override'],
      ['MAINTENANCE', 'NORMAL', 'override-expired'],
    ]);
    assert.equal(after.body.transitionCount, 2);
  });

  it('rejects invalid modes, severities, expiries and transitions with 400 naming the problem', async () => {
    await harness.start();
    const cases: [object, string?][] = [
      [{ mode: 'PANIC', reason: 'x' }, 'mode'],
      [{ mode: 'DEGRADED', reason: 'x', severity: 'apocalyptic' }, 'severity'],
      [{ mode: 'DEGRADED', reason: '' }, 'reason'],
      [{ mode: 'DEGRADED', reason: 'x', expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ mode: 'DEGRADED', reason: 'x', extra: true }],
      [{ mode: 'DEGRADED', reason: 'x', expiresAt: new Date(Date.now() - 60_000).toISOString() }, 'expiresAt'],
    ];
    for (const [body, field] of cases) {
      const response = await api('PUT', '/api/operation-mode', body);
      assert.equal(response.status, 400, JSON.stringify(body));
      if (field) assert.equal(response.body.error.field, field, JSON.stringify(response.body));
    }
    await setMode('EMERGENCY');
    const jump = await api('PUT', '/api/operation-mode', { mode: 'NORMAL', reason: 'straight back' });
    assert.equal(jump.status, 400);
    assert.equal(jump.body.error.code, 'invalid_override');
    const cleared = await api('DELETE', '/api/operation-mode/override');
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.mode, 'NORMAL');
  });

  it('evaluates flags with their safe defaults and a reason when the mode workflow is gone', async () => {
    const workers = await harness.start();
    const normal = await api('GET', '/api/feature-flags');
    assert.deepEqual(normal.body.flags.enable_document_analysis, { flag: 'enable_document_analysis', value: true, reason: 'DEFAULT', mode: 'NORMAL' });
    // Deleted, not just terminated: a closed workflow still answers queries from its history.
    const { client } = harness.stack;
    await client.workflowService.deleteWorkflowExecution({
      namespace: workers.config.temporal.namespace,
      workflowExecution: { workflowId: operationModeWorkflowId(workers.config.temporal.taskQueue) },
    });
    const response = await waitFor(() => api('GET', '/api/feature-flags'), (r) => r.body.flags.enable_document_analysis.reason === 'UNAVAILABLE', 20_000);
    assert.equal(response.status, 200);
    for (const [name, flag] of Object.entries(FEATURE_FLAGS)) {
      assert.equal(response.body.flags[name].reason, 'UNAVAILABLE', name);
      assert.equal(response.body.flags[name].value, flag.safeDefault, name);
      assert.match(response.body.flags[name].errorMessage, /operation mode unavailable/);
    }
  });

  it('a mode change mid-analysis switches the model tier of the next attempt', async () => {
    harness.emulator.provider('anthropic').enqueue({ kind: 'status', status: 500 });
    const workers = await harness.start({ ANTHROPIC_RETRY_INITIAL_INTERVAL_SECONDS: '3' });
    const { response } = await analyzeNew();
    await harness.emulator.provider('anthropic').waitForRequests(1, 20_000);
    await setMode('DEGRADED');
    const done = await finish(response.body.jobId);
    const models = harness.emulator.provider('anthropic').requestLog.map((entry) => entry.model);
    assert.deepEqual(models, [workers.config.providers.anthropic.models.advanced, workers.config.providers.anthropic.models.light]);
    assert.equal(done.body.chain[0].tier, 'light');
    assert.deepEqual(done.body.chain[0].attemptErrors, ['ServerError']);
  });

  it('MAINTENANCE switches remote providers off: a running job finishes with the local analyzer', async () => {
    harness.emulator.provider('anthropic').enqueue({ kind: 'status', status: 503 });
    await harness.start({ ANTHROPIC_RETRY_INITIAL_INTERVAL_SECONDS: '3' });
    const { response } = await analyzeNew();
    await harness.emulator.provider('anthropic').waitForRequests(1, 20_000);
    await setMode('MAINTENANCE');
    const done = await finish(response.body.jobId);
    assert.equal(done.body.status, 'completed');
    assert.equal(done.body.result.meta.provider, 'local');
    assert.deepEqual(
      done.body.chain.map((step: { provider: string; errorType?: string }) => [step.provider, step.errorType]),
      [['anthropic', 'RemoteProvidersDisabled'], ['openai', 'RemoteProvidersDisabled'], ['local', undefined]],
    );
    assert.equal(harness.emulator.provider('anthropic').requests, 1);
    assert.equal(harness.emulator.provider('openai').requests, 0);
  });

  it('the health-check schedule degrades the mode when Redis goes down and recovers when it returns', async () => {
    const settings = {
      REDIS_URL: harness.redis.url,
      HEALTH_CHECK_INTERVAL_SECONDS: '1',
      HEALTH_FAILURES_TO_DEGRADE: '2',
      HEALTH_PASSES_TO_RECOVER: '2',
      HEALTH_MIN_DWELL_SECONDS: '1',
    };
    harness.workers = await harness.stack.startWorkers(providerEnv(harness.emulator, settings), { healthSchedule: true });
    const readMode = () => api('GET', '/api/operation-mode');
    await waitFor(readMode, (response) => response.status === 200 && response.body.mode === 'NORMAL', 20_000);
    await harness.redis.kill();
    try {
      const degraded = await waitFor(readMode, (response) => response.body.mode === 'DEGRADED', 30_000);
      const entry = degraded.body.audit.at(-1);
      assert.equal(entry.cause, 'health');
      assert.ok(entry.checks.some((check: { name: string; ok: boolean }) => check.name === 'cache:redis' && !check.ok), JSON.stringify(entry.checks));
      assert.equal((await api('GET', '/api/health/ready')).status, 200, 'DEGRADED still serves');
    } finally {
      await harness.redis.restart();
    }
    const recovered = await waitFor(readMode, (response) => response.body.mode === 'NORMAL', 30_000);
    assert.deepEqual(recovered.body.audit.map((entry: { to: string }) => entry.to), ['DEGRADED', 'NORMAL']);
  });
});

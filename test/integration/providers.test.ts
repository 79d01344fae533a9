import assert from 'node:assert/strict';
import type { Fault } from '../emulator/provider-emulator';
import { waitFor } from '../helpers/http';
import { analyzeToTheEnd, useProviderHarness } from '../helpers/provider-workers';
import type { RunningWorkers } from '../helpers/stack';
import type { JobView } from '../../api/job-view';

const ARTICLE = 'Acme Corporation opens a regional office in Lisbon next spring and plans to hire forty engineers.';

describe('remote providers through activities (real SDKs against the emulator)', function () {
  this.timeout(90_000);
  const harness = useProviderHarness();
  const start = harness.start;
  const analyze = (running: RunningWorkers): Promise<JobView> => analyzeToTheEnd(harness.stack, running, ARTICLE);

  it('analyzes with anthropic through the Messages API, advanced model, usage counted', async () => {
    const running = await start();
    const view = await analyze(running);
    assert.equal(view.status, 'completed');
    assert.equal(view.result?.meta.provider, 'anthropic');
    assert.equal(view.result?.meta.model, running.config.providers.anthropic.models.advanced);
    assert.equal(view.result?.summary.length! > 0, true);
    const [request] = harness.emulator.provider('anthropic').requestLog;
    assert.equal(request?.path, '/anthropic/v1/messages');
    assert.ok(view.tokens.input > 0 && view.tokens.output > 0);
    assert.equal(view.tokens.input, view.result?.meta.inputTokens);
    assert.deepEqual(view.chain.map((step) => [step.provider, step.outcome, step.attempts]), [['anthropic', 'succeeded', 1]]);
  });

  it('analyzes with openai and with an openai-compatible server through Chat Completions', async () => {
    let running = await start({ LLM_PROVIDERS: 'openai,local' });
    let view = await analyze(running);
    assert.equal(view.result?.meta.provider, 'openai');
    assert.equal(harness.emulator.provider('openai').requestLog[0]?.path, '/openai/v1/chat/completions');
    await running.stop();

    running = await start({ LLM_PROVIDERS: 'openai-compatible,local', OPENAI_COMPATIBLE_MODEL_ADVANCED: 'llama-test' });
    view = await analyze(running);
    assert.equal(view.result?.meta.provider, 'openai-compatible');
    assert.equal(view.result?.meta.model, 'llama-test');
    assert.equal(harness.emulator.provider('openai-compatible').requests, 1);
  });

  const retryableFaults: [string, Fault, string][] = [
    ['429', { kind: 'status', status: 429 }, 'RateLimited'],
    ['529 overloaded', { kind: 'status', status: 529 }, 'Overloaded'],
    ['500', { kind: 'status', status: 500 }, 'ServerError'],
    ['503', { kind: 'status', status: 503 }, 'ServerError'],
    ['408', { kind: 'status', status: 408 }, 'Timeout'],
    ['409', { kind: 'status', status: 409 }, 'ServerError'],
    ['a connection reset', { kind: 'reset' }, 'ConnectionError'],
    ['a hanging request (provider timeout)', { kind: 'hang' }, 'Timeout'],
  ];
  for (const [name, fault, type] of retryableFaults) {
    it(`retries after ${name} (${type}) and succeeds on the same provider`, async () => {
      harness.emulator.provider('anthropic').enqueue(fault);
      const running = await start({ ANTHROPIC_TIMEOUT_SECONDS: '1.5' });
      const view = await analyze(running);
      assert.equal(view.status, 'completed');
      assert.equal(view.result?.meta.provider, 'anthropic');
      assert.equal(harness.emulator.provider('anthropic').requests, 2);
      assert.deepEqual(view.chain, [
        { ...view.chain[0], provider: 'anthropic', outcome: 'succeeded', attempts: 2, attemptErrors: [type] },
      ]);
      assert.equal(harness.emulator.provider('openai').requests, 0);
    });
  }

  it('parses output in a ```json fence with prose around it', async () => {
    harness.emulator.provider('anthropic').enqueue({ kind: 'fenced' });
    const view = await analyze(await start());
    assert.equal(view.result?.meta.provider, 'anthropic');
    assert.equal(harness.emulator.provider('anthropic').requests, 1);
  });

  it('asks once for a repair of invalid output and counts the tokens of both requests', async () => {
    harness.emulator.provider('anthropic').enqueue({ kind: 'malformed', }, { kind: 'ok', usage: { input: 300, output: 70 } });
    const view = await analyze(await start());
    assert.equal(view.result?.meta.provider, 'anthropic');
    assert.equal(view.result?.meta.attempts, 1);
    const log = harness.emulator.provider('anthropic').requestLog;
    assert.equal(log.length, 2);
    const repair = log[1]!.body as { messages: { role: string }[] };
    assert.deepEqual(repair.messages.map((message) => message.role), ['user', 'assistant', 'user']);
    assert.ok(view.tokens.input > 300 && view.tokens.output > 70, JSON.stringify(view.tokens));
  });

  it('counts output that stays invalid after the repair as a failed attempt (InvalidOutput)', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'malformed' });
    const view = await analyze(await start({ ANTHROPIC_RETRY_ATTEMPTS: '2' }));
    assert.equal(harness.emulator.provider('anthropic').requests, 4);
    assert.equal(view.chain[0]?.errorType, 'InvalidOutput');
    assert.deepEqual(view.chain[0]?.attemptErrors, ['InvalidOutput', 'InvalidOutput']);
    assert.equal(view.result?.meta.provider, 'openai');
  });

  it('honours Retry-After: no request to that provider before it elapses', async () => {
    harness.emulator.provider('anthropic').enqueue({ kind: 'status', status: 429, headers: { 'retry-after': '2' } });
    const view = await analyze(await start());
    assert.equal(view.result?.meta.provider, 'anthropic');
    const [first, second] = harness.emulator.provider('anthropic').requestLog;
    assert.ok(second!.at - first!.at >= 2000, `retried after ${second!.at - first!.at} ms`);
  });

  it('holds every job back from a provider that sent Retry-After, not just the one that got it', async () => {
    harness.emulator.provider('anthropic').enqueue({ kind: 'status', status: 429, headers: { 'retry-after-ms': '2500' } });
    const running = await start();
    const first = analyze(running);
    await harness.emulator.provider('anthropic').waitForRequests(1);
    const second = analyze(running);
    await Promise.all([first, second]);
    const [limited, ...rest] = harness.emulator.provider('anthropic').requestLog;
    for (const later of rest) assert.ok(later.at - limited!.at >= 2500, `a request came ${later.at - limited!.at} ms after the 429`);
  });

  it('does not retry 401: falls back to the next provider at once', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'status', status: 401 });
    const view = await analyze(await start());
    assert.equal(harness.emulator.provider('anthropic').requests, 1);
    assert.equal(view.result?.meta.provider, 'openai');
    assert.deepEqual(
      view.chain.map((step) => [step.provider, step.outcome, step.errorType, step.attempts]),
      [['anthropic', 'failed', 'AuthFailed', 1], ['openai', 'succeeded', undefined, 1]],
    );
    assert.doesNotMatch(JSON.stringify(view), /sk-ant-test-key/);
  });

  it('does not retry 400, and names a context-length error ContextTooLong', async () => {
    harness.emulator.provider('anthropic').enqueue({
      kind: 'status',
      status: 400,
      body: { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 250000 tokens > 200000 maximum' } },
    });
    const view = await analyze(await start());
    assert.equal(harness.emulator.provider('anthropic').requests, 1);
    assert.equal(view.chain[0]?.errorType, 'ContextTooLong');
    assert.equal(view.result?.meta.provider, 'openai');

    harness.emulator.reset();
    harness.emulator.provider('anthropic').enqueue({ kind: 'status', status: 400 });
    const second = await analyze(harness.workers!);
    assert.equal(harness.emulator.provider('anthropic').requests, 1);
    assert.equal(second.chain[0]?.errorType, 'InvalidRequest');
    assert.equal(second.result?.meta.provider, 'openai');
  });

  it('degrades to the local analyzer when both remote providers are down, with the chain visible', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'status', status: 503 });
    harness.emulator.provider('openai').setDefault({ kind: 'status', status: 500 });
    const view = await analyze(await start({ ANTHROPIC_RETRY_ATTEMPTS: '2', OPENAI_RETRY_ATTEMPTS: '2' }));
    assert.equal(view.status, 'completed');
    assert.equal(view.result?.meta.provider, 'local');
    assert.deepEqual(
      view.chain.map((step) => [step.provider, step.outcome, step.attempts, step.errorType, step.attemptErrors]),
      [
        ['anthropic', 'failed', 2, 'ServerError', ['ServerError', 'ServerError']],
        ['openai', 'failed', 2, 'ServerError', ['ServerError', 'ServerError']],
        ['local', 'succeeded', 1, undefined, undefined],
      ],
    );
    assert.equal(view.chain[0]?.model, harness.workers!.config.providers.anthropic.models.advanced);
  });

  it('fails the job with AllProvidersFailed when LLM_PROVIDERS leaves local out and every provider fails', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'status', status: 401 });
    const view = await analyze(await start({ LLM_PROVIDERS: 'anthropic' }));
    assert.equal(view.status, 'failed');
    assert.equal(view.error?.type, 'AllProvidersFailed');
  });

  it('cancelling a job aborts its in-flight provider request', async () => {
    harness.emulator.provider('anthropic').setDefault({ kind: 'hang' });
    const running = await start({ ANTHROPIC_TIMEOUT_SECONDS: '30' });
    const document = await harness.stack.documents.create({ content: ARTICLE });
    const job = await running.jobs.start({ documentId: document.id, analysisType: 'full' });
    await harness.emulator.provider('anthropic').waitForRequests(1, 20_000);
    await harness.stack.client.workflow.getHandle(job.jobId).cancel();
    await harness.emulator.provider('anthropic').waitForAbort(15_000);
    const view = await waitFor(() => running.jobs.read(job.jobId), (current) => current?.status === 'cancelled', 20_000);
    assert.equal(view?.stage, 'cancelled');
    assert.equal(harness.emulator.provider('openai').requests, 0);
  });
});

import assert from 'node:assert/strict';
import { loadConfig } from '../../shared/config';
import { LOCAL_STEP_RETRY, planProviderChain, PROVIDER_HEARTBEAT_TIMEOUT_MS } from '../../shared/core/providers/plan';

describe('provider chain plan', () => {
  it('follows LLM_PROVIDERS, one task queue and retry policy per provider', () => {
    const config = loadConfig({
      TEMPORAL_TASK_QUEUE: 'jobs',
      LLM_PROVIDERS: 'openai,anthropic,local',
      ANTHROPIC_API_KEY: 'a',
      OPENAI_API_KEY: 'o',
      OPENAI_RETRY_ATTEMPTS: '5',
      OPENAI_BACKOFF_FACTOR: '2',
      OPENAI_TIMEOUT_SECONDS: '12',
    });
    const plan = planProviderChain(config);
    assert.deepEqual(plan.map((step) => [step.provider, step.taskQueue]), [
      ['openai', 'jobs-llm-openai'],
      ['anthropic', 'jobs-llm-anthropic'],
      ['local', 'jobs'],
    ]);
    assert.deepEqual(plan[0], {
      provider: 'openai',
      taskQueue: 'jobs-llm-openai',
      startToCloseTimeoutMs: 12_000,
      heartbeatTimeoutMs: PROVIDER_HEARTBEAT_TIMEOUT_MS,
      retry: { maximumAttempts: 5, initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 60_000 },
    });
    assert.deepEqual(plan[2]?.retry, LOCAL_STEP_RETRY);
  });

  it("plans a provider with no server-side rate limit on the workflow's own queue (eager dispatch)", () => {
    const config = loadConfig({ TEMPORAL_TASK_QUEUE: 'jobs', LLM_PROVIDERS: 'anthropic,openai,local', ANTHROPIC_API_KEY: 'a', OPENAI_API_KEY: 'o', ANTHROPIC_RATE_LIMIT: '0' });
    assert.deepEqual(planProviderChain(config).map((step) => step.taskQueue), ['jobs', 'jobs-llm-openai', 'jobs']);
    assert.throws(() => loadConfig({ ANTHROPIC_RATE_LIMIT: '-1' }), /ANTHROPIC_RATE_LIMIT/);
  });

  it('marks the steps whose first attempt runs as a local activity, which only a provider without a server-side limit may ask for', () => {
    const config = loadConfig({ LLM_PROVIDERS: 'anthropic,openai,local', ANTHROPIC_API_KEY: 'a', OPENAI_API_KEY: 'o', ANTHROPIC_RATE_LIMIT: '0', ANTHROPIC_LOCAL_FIRST_ATTEMPT: 'true' });
    assert.deepEqual(planProviderChain(config).map((step) => step.firstAttemptLocal), [true, undefined, undefined]);
    const firstStep = (env: NodeJS.ProcessEnv) => planProviderChain(loadConfig({ LLM_PROVIDERS: 'anthropic', ANTHROPIC_API_KEY: 'a', ...env }))[0]!;
    assert.equal(firstStep({ ANTHROPIC_RATE_LIMIT: '0' }).firstAttemptLocal, 'when-fast', 'auto by default');
    assert.equal('firstAttemptLocal' in firstStep({ ANTHROPIC_RATE_LIMIT: '0', ANTHROPIC_LOCAL_FIRST_ATTEMPT: 'false' }), false);
    assert.equal('firstAttemptLocal' in firstStep({}), false, 'auto keeps a rate-limited provider on its queue');
    assert.throws(() => loadConfig({ ANTHROPIC_LOCAL_FIRST_ATTEMPT: 'true' }), /ANTHROPIC_LOCAL_FIRST_ATTEMPT needs ANTHROPIC_RATE_LIMIT=0/);
    assert.throws(() => loadConfig({ OPENAI_LOCAL_FIRST_ATTEMPT: 'yes', OPENAI_RATE_LIMIT: '0' }), /OPENAI_LOCAL_FIRST_ATTEMPT/);
  });

  it('has no local fallback when LLM_PROVIDERS leaves it out on purpose', () => {
    const plan = planProviderChain(loadConfig({ LLM_PROVIDERS: 'anthropic', ANTHROPIC_API_KEY: 'a' }));
    assert.deepEqual(plan.map((step) => step.provider), ['anthropic']);
  });
});

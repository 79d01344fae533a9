import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../shared/config';

describe('config', () => {
  it('has working defaults with an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.temporal.address, '127.0.0.1:7233');
    assert.equal(config.temporal.embeddedServer, true);
    assert.equal(config.temporal.namespace, 'default');
    assert.equal(config.temporal.taskQueue, 'analysis');
    assert.equal(config.temporal.uiUrl, 'http://127.0.0.1:8233');
    assert.equal(config.temporal.dbFile, path.resolve('.data/temporal.db'));
    assert.equal(config.api.port, 3000);
    assert.equal(config.api.host, '127.0.0.1');
    assert.equal(config.api.documentMaxBytes, 1024 * 1024);
    assert.deepEqual(config.providers.order, ['local']);
    assert.equal(config.temporal.grpcCompression, 'none');
  });

  it('uses an external Temporal when TEMPORAL_ADDRESS is set', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' });
    assert.equal(config.temporal.address, 'temporal:7233');
    assert.equal(config.temporal.embeddedServer, false);
    assert.equal(loadConfig({ TEMPORAL_GRPC_COMPRESSION: 'gzip' }).temporal.grpcCompression, 'gzip');
  });

  it('orders providers with keys first, then local, when LLM_PROVIDERS is unset', () => {
    const config = loadConfig({ OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'ak-test' });
    assert.deepEqual(config.providers.order, ['anthropic', 'openai', 'local']);
  });

  it('takes LLM_PROVIDERS as given', () => {
    assert.deepEqual(loadConfig({ LLM_PROVIDERS: 'openai, local', OPENAI_API_KEY: 'sk-test' }).providers.order, ['openai', 'local']);
  });

  it('includes an OpenAI-compatible server by its base URL, no key needed', () => {
    const config = loadConfig({ OPENAI_COMPATIBLE_BASE_URL: 'http://ollama:11434/v1' });
    assert.deepEqual(config.providers.order, ['openai-compatible', 'local']);
  });

  it("reads the design's resilience parameters per provider, with the design's defaults", () => {
    const config = loadConfig({ ANTHROPIC_API_KEY: 'k', OPENAI_TIMEOUT_SECONDS: '2.5', OPENAI_RATE_LIMIT: '60', OPENAI_MODEL_LIGHT: 'mini' });
    assert.deepEqual(
      { ...config.providers.anthropic, apiKey: undefined, models: undefined },
      {
        name: 'anthropic',
        apiKey: undefined,
        baseUrl: undefined,
        timeoutMs: 30_000,
        retryAttempts: 3,
        retryInitialIntervalMs: 1_000,
        retryMaxIntervalMs: 60_000,
        backoffFactor: 1.5,
        jitter: 0.2,
        circuitBreakerThreshold: 5,
        circuitBreakerRecoveryMs: 60_000,
        rateLimitPerMinute: 100,
        localFirstAttempt: 'when-fast',
        localFirstMaxCallMs: 1_000,
        maxConcurrency: 10,
        maxTokens: 1024,
        models: undefined,
      },
    );
    assert.equal(config.providers.openai.timeoutMs, 2_500);
    assert.equal(config.providers.openai.rateLimitPerMinute, 60);
    assert.equal(config.providers.openai.models.light, 'mini');
  });

  const invalid: [string, NodeJS.ProcessEnv][] = [
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['TEMPORAL_UI_PORT', { TEMPORAL_UI_PORT: '-1' }],
    ['DOCUMENT_MAX_BYTES', { DOCUMENT_MAX_BYTES: '0' }],
    ['REDIS_URL', { REDIS_URL: 'not a url' }],
    ['LLM_PROVIDERS', { LLM_PROVIDERS: 'local,skynet' }],
    ['LLM_PROVIDERS', { LLM_PROVIDERS: 'local,local' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['LLM_PROVIDERS', { LLM_PROVIDERS: 'anthropic,local' }],
    ['LLM_PROVIDERS', { LLM_PROVIDERS: 'openai-compatible', OPENAI_COMPATIBLE_API_KEY: 'k' }],
    ['ANTHROPIC_JITTER', { ANTHROPIC_JITTER: '1.5' }],
    ['OPENAI_BACKOFF_FACTOR', { OPENAI_BACKOFF_FACTOR: '0.5' }],
    ['OPENAI_COMPATIBLE_RETRY_ATTEMPTS', { OPENAI_COMPATIBLE_RETRY_ATTEMPTS: '0' }],
    ['ANTHROPIC_TIMEOUT_SECONDS', { ANTHROPIC_TIMEOUT_SECONDS: 'soon' }],
    ['TEMPORAL_GRPC_COMPRESSION', { TEMPORAL_GRPC_COMPRESSION: 'zstd' }],
  ];
  for (const [variable, env] of invalid) {
    it(`rejects ${JSON.stringify(env)} naming ${variable}`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.variable, variable);
        assert.match(error.message, new RegExp(variable));
        return true;
      });
    });
  }

  it('never echoes an API key in its errors', () => {
    assert.throws(() => loadConfig({ ANTHROPIC_API_KEY: 'sk-secret-123', PORT: 'x' }), (error: Error) => !error.message.includes('sk-secret-123'));
  });
});

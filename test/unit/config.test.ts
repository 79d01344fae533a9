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
  });

  it('uses an external Temporal when TEMPORAL_ADDRESS is set', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' });
    assert.equal(config.temporal.address, 'temporal:7233');
    assert.equal(config.temporal.embeddedServer, false);
  });

  it('orders providers with keys first, then local, when LLM_PROVIDERS is unset', () => {
    const config = loadConfig({ OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'ak-test' });
    assert.deepEqual(config.providers.order, ['anthropic', 'openai', 'local']);
  });

  it('takes LLM_PROVIDERS as given', () => {
    assert.deepEqual(loadConfig({ LLM_PROVIDERS: 'openai, local' }).providers.order, ['openai', 'local']);
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

import assert from 'node:assert/strict';
import { batchItemId, batchStepOf, pollsWithin } from '../../shared/core/providers/batch-route';
import type { ProviderStep } from '../../shared/core/providers/plan';

const step = (provider: ProviderStep['provider']): ProviderStep => ({
  provider,
  taskQueue: `q-${provider}`,
  startToCloseTimeoutMs: 1000,
  heartbeatTimeoutMs: 0,
  retry: { maximumAttempts: 1, initialIntervalMs: 1, backoffCoefficient: 1, maximumIntervalMs: 1 },
});

describe('batch route', () => {
  it('takes the first provider in the chain that has a batch API', () => {
    assert.equal(batchStepOf([step('openai-compatible'), step('openai'), step('anthropic'), step('local')])?.provider, 'openai');
    assert.equal(batchStepOf([step('anthropic'), step('openai')])?.provider, 'anthropic');
  });

  it('has no batch step when no provider in the chain has a batch API', () => {
    assert.equal(batchStepOf([step('openai-compatible'), step('local')]), undefined);
    assert.equal(batchStepOf([]), undefined);
  });

  it('names items within the custom_id alphabet both APIs accept', () => {
    assert.match(batchItemId(0), /^[a-zA-Z0-9_-]{1,64}$/);
    assert.notEqual(batchItemId(1), batchItemId(10));
  });

  it('checks a batch often enough to cover the longest wait, at least once', () => {
    assert.equal(pollsWithin({ pollIntervalMs: 300_000, maxWaitMs: 24 * 3_600_000 }), 288);
    assert.equal(pollsWithin({ pollIntervalMs: 1_000, maxWaitMs: 10 }), 1);
  });
});

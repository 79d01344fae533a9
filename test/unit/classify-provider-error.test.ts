import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import {
  classifyProviderError,
  MAX_MESSAGE_LENGTH,
  MAX_RETRY_AFTER_MS,
  parseRetryAfterMs,
  toApplicationFailure,
} from '../../shared/core/resilience/classify-provider-error';

const NOW = Date.parse('2025-01-01T12:00:00Z');

/** An Anthropic API error exactly as the SDK builds it from a response (body `{ type: 'error', error }`). */
function anthropicError(status: number, type: string, message: string, headers: Record<string, string> = {}) {
  return Anthropic.APIError.generate(status, { type: 'error', error: { type, message } }, undefined, new Headers(headers));
}

/** An OpenAI API error exactly as the SDK builds it from a response (body `{ error: { message, type, code } }`). */
function openaiError(status: number, error: { message: string; type?: string; code?: string }, headers: Record<string, string> = {}) {
  return OpenAI.APIError.generate(status, { error }, undefined, new Headers(headers));
}

const classify = (error: unknown) => classifyProviderError(error, { now: NOW });

function socketError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyProviderError', () => {
  describe('requests the provider rejected (not retryable)', () => {
    it('classifies 400, 404, 413 and 422 as InvalidRequest', () => {
      const errors = [
        anthropicError(400, 'invalid_request_error', 'max_tokens: field required'),
        openaiError(404, { message: 'The model `gpt-9` does not exist', code: 'model_not_found' }),
        anthropicError(413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.'),
        { status: 422, message: 'Unprocessable Entity' },
      ];
      for (const error of errors) {
        const classified = classify(error);
        assert.equal(classified.type, 'InvalidRequest', classified.message);
        assert.equal(classified.retryable, false);
      }
      assert.deepEqual(
        errors.map((error) => classify(error).status),
        [400, 404, 413, 422],
      );
    });

    it('recognises the SDK error subclasses: Anthropic BadRequestError, OpenAI NotFoundError', () => {
      assert.ok(anthropicError(400, 'invalid_request_error', 'x') instanceof Anthropic.BadRequestError);
      assert.ok(openaiError(404, { message: 'x' }) instanceof OpenAI.NotFoundError);
    });

    it('classifies an over-long prompt as ContextTooLong, by message or by code', () => {
      const errors = [
        anthropicError(400, 'invalid_request_error', 'prompt is too long: 250000 tokens > 200000 maximum'),
        openaiError(400, {
          message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
          type: 'invalid_request_error',
        }),
        openaiError(400, { message: 'Input is too large for this model.', code: 'context_length_exceeded' }),
        { status: 400, message: 'Input exceeds the context window of this model' },
        anthropicError(413, 'request_too_large', 'prompt is too long for the context length of this model'),
      ];
      for (const error of errors) {
        const classified = classify(error);
        assert.equal(classified.type, 'ContextTooLong', classified.message);
        assert.equal(classified.retryable, false);
      }
    });

    it('classifies 401, 402 and 403 as AuthFailed', () => {
      const errors = [
        anthropicError(401, 'authentication_error', 'invalid x-api-key'),
        anthropicError(402, 'billing_error', 'Your credit balance is too low'),
        openaiError(403, { message: 'You are not allowed to sample from this model' }),
      ];
      for (const error of errors) {
        assert.deepEqual(
          [classify(error).type, classify(error).retryable],
          ['AuthFailed', false],
        );
      }
    });
  });

  describe('provider trouble (retryable)', () => {
    it('classifies 429 as RateLimited with the provider Retry-After', () => {
      const error = openaiError(429, { message: 'Rate limit reached for requests', type: 'requests' }, { 'retry-after': '20' });
      assert.ok(error instanceof OpenAI.RateLimitError);
      assert.deepEqual(classify(error), {
        type: 'RateLimited',
        retryable: true,
        status: 429,
        retryAfterMs: 20_000,
        message: '429 Rate limit reached for requests',
      });
    });

    it('classifies 529 and an overloaded 503 as Overloaded, a plain 503 as ServerError', () => {
      const overloaded = anthropicError(529, 'overloaded_error', 'Overloaded');
      assert.ok(overloaded instanceof Anthropic.OverloadedError);
      assert.equal(classify(overloaded).type, 'Overloaded');
      assert.equal(classify(overloaded).retryable, true);
      assert.equal(classify(openaiError(503, { message: 'The engine is currently overloaded, please try again later' })).type, 'Overloaded');
      assert.equal(classify(openaiError(503, { message: 'Service Unavailable' })).type, 'ServerError');
    });

    it('classifies 409 and other 5xx as ServerError, 408 as Timeout', () => {
      for (const status of [409, 500, 502, 504]) {
        const classified = classify(anthropicError(status, 'api_error', 'Internal server error'));
        assert.deepEqual([classified.type, classified.retryable, classified.status], ['ServerError', true, status]);
      }
      assert.deepEqual(
        [classify({ status: 408, message: 'Request Timeout' }).type, classify({ status: 408 }).retryable],
        ['Timeout', true],
      );
    });

    it('classifies an Anthropic mid-stream error event (no HTTP status) by its error type', () => {
      const body = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
      const error = new Anthropic.APIError(undefined, body, undefined, new Headers(), 'overloaded_error');
      const classified = classify(error);
      assert.deepEqual([classified.type, classified.retryable, classified.status], ['Overloaded', true, undefined]);
    });

    it('classifies SDK timeouts, timeout names and ETIMEDOUT as Timeout', () => {
      const errors = [
        new Anthropic.APIConnectionTimeoutError(),
        new OpenAI.APIConnectionTimeoutError(),
        new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
        socketError('connect ETIMEDOUT 1.2.3.4:443', 'ETIMEDOUT'),
      ];
      for (const error of errors) {
        assert.deepEqual([classify(error).type, classify(error).retryable], ['Timeout', true], String(error));
      }
    });

    it('classifies connection failures as ConnectionError, including the code inside the fetch cause chain', () => {
      const fetchFailed = new TypeError('fetch failed', { cause: socketError('read ECONNRESET', 'ECONNRESET') });
      const errors = [
        new Anthropic.APIConnectionError({ cause: fetchFailed }),
        new OpenAI.APIConnectionError({ message: 'Connection error.' }),
        socketError('connect ECONNREFUSED 127.0.0.1:443', 'ECONNREFUSED'),
        socketError('write EPIPE', 'EPIPE'),
        socketError('other side closed', 'UND_ERR_SOCKET'),
        new Error('socket hang up'),
        fetchFailed,
      ];
      for (const error of errors) {
        assert.deepEqual([classify(error).type, classify(error).retryable], ['ConnectionError', true], String(error));
      }
    });

    it('classifies anything unrecognised as a retryable Unknown', () => {
      for (const error of [new Error('boom'), 'a thrown string', undefined, null, { weird: true }, { status: 302 }]) {
        const classified = classify(error);
        assert.deepEqual([classified.type, classified.retryable], ['Unknown', true]);
        assert.ok(classified.message.length > 0);
      }
    });
  });

  describe('cancellation', () => {
    it('classifies AbortError and the SDK user-abort errors as non-retryable Cancelled', () => {
      const errors = [
        new Anthropic.APIUserAbortError(),
        new OpenAI.APIUserAbortError(),
        new DOMException('This operation was aborted', 'AbortError'),
      ];
      for (const error of errors) {
        assert.deepEqual([classify(error).type, classify(error).retryable], ['Cancelled', false], String(error));
      }
    });
  });

  describe('Retry-After', () => {
    it('reads retry-after-ms as milliseconds, and prefers it over retry-after', () => {
      const error = anthropicError(429, 'rate_limit_error', 'slow down', { 'retry-after-ms': '1500', 'retry-after': '30' });
      assert.equal(classify(error).retryAfterMs, 1500);
    });

    it('reads retry-after as (fractional) seconds', () => {
      assert.equal(classify(anthropicError(429, 'rate_limit_error', 'x', { 'retry-after': '2.5' })).retryAfterMs, 2500);
    });

    it('reads retry-after as an HTTP date relative to the injected clock', () => {
      const error = anthropicError(529, 'overloaded_error', 'x', { 'retry-after': new Date(NOW + 45_000).toUTCString() });
      assert.equal(classify(error).retryAfterMs, 45_000);
    });

    it('falls back to retry-after when retry-after-ms is unusable', () => {
      assert.equal(parseRetryAfterMs(new Headers({ 'retry-after-ms': 'soon', 'retry-after': '3' }), NOW), 3000);
    });

    it('ignores dates in the past, zero, negative and unparseable values', () => {
      for (const value of [new Date(NOW - 1000).toUTCString(), '0', '-5', 'later', '']) {
        assert.equal(parseRetryAfterMs(new Headers({ 'retry-after': value }), NOW), undefined, value);
      }
      assert.equal(classify({ status: 429 }).retryAfterMs, undefined);
    });

    it(`clamps values above ${MAX_RETRY_AFTER_MS / 60_000} minutes instead of dropping them`, () => {
      assert.equal(parseRetryAfterMs(new Headers({ 'retry-after': '86400' }), NOW), MAX_RETRY_AFTER_MS);
      assert.equal(parseRetryAfterMs({ 'retry-after-ms': '9999999' }, NOW), MAX_RETRY_AFTER_MS);
    });

    it('reads plain-record headers case-insensitively, including Node array values', () => {
      assert.equal(classify({ status: 429, headers: { 'Retry-After': '7' } }).retryAfterMs, 7000);
      assert.equal(classify({ status: 429, headers: { 'retry-after': ['4', '9'] } }).retryAfterMs, 4000);
      assert.equal(classify({ statusCode: 503, headers: { 'retry-after': 3 } }).retryAfterMs, 3000);
    });
  });

  describe('messages', () => {
    it('never contains an API key or a bearer token', () => {
      const errors = [
        openaiError(401, { message: 'Incorrect API key provided: sk-proj-AbC123xyz_DEF456-ghi. You can find your API key at https://platform.openai.com.' }),
        anthropicError(401, 'authentication_error', 'invalid key sk-ant-api03-Zx9_yW8-vU7tS6rQ5pO4'),
        new Error('request failed with Authorization: Bearer eyJhbGciOi.J9eyJzdWIi.OiIxMjM0=='),
        new Error('config {"api_key": "abc123secret"}'),
      ];
      for (const error of errors) {
        const { message } = classify(error);
        assert.doesNotMatch(message, /sk-proj-AbC|sk-ant-api03|eyJhbGciOi|abc123secret/, message);
        assert.match(message, /REDACTED/);
      }
    });

    it('leaves ordinary words that merely contain "sk-" alone', () => {
      assert.equal(classify(new Error('task-queue analysis is empty')).message, 'task-queue analysis is empty');
    });

    it(`is cut to ${MAX_MESSAGE_LENGTH} characters`, () => {
      const { message } = classify(new Error('x'.repeat(MAX_MESSAGE_LENGTH * 2)));
      assert.equal(message.length, MAX_MESSAGE_LENGTH + 1);
    });
  });
});

describe('toApplicationFailure', () => {
  const always = (value: number) => () => value;

  it('carries type, retryability and details for Temporal', () => {
    const failure = toApplicationFailure(classify(anthropicError(400, 'invalid_request_error', 'bad')));
    assert.equal(failure.type, 'InvalidRequest');
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.nextRetryDelay, undefined);
    assert.deepEqual(failure.details, [{ status: 400, retryAfterMs: undefined }]);
  });

  it('turns Retry-After into nextRetryDelay, jittered only upward', () => {
    const classified = classify(anthropicError(429, 'rate_limit_error', 'x', { 'retry-after': '10' }));
    assert.equal(toApplicationFailure(classified, { random: always(0) }).nextRetryDelay, 10_000);
    assert.equal(toApplicationFailure(classified, { random: always(1) }).nextRetryDelay, 12_000);
    assert.equal(toApplicationFailure(classified, { jitter: 0.5, random: always(1) }).nextRetryDelay, 15_000);
    assert.equal(toApplicationFailure(classified).nonRetryable, false);
  });

  it('leaves the delay to the RetryPolicy when there is neither Retry-After nor a backoff policy', () => {
    assert.equal(toApplicationFailure(classify(new Anthropic.APIConnectionTimeoutError())).nextRetryDelay, undefined);
  });

  it('computes a jittered exponential delay when given the backoff policy and attempt', () => {
    const backoff = { attempt: 2, initialIntervalMs: 1000, backoffFactor: 1.5, maxIntervalMs: 30_000, jitter: 0.2 };
    const timeout = classify(new Anthropic.APIConnectionTimeoutError());
    assert.equal(toApplicationFailure(timeout, { backoff, random: always(0) }).nextRetryDelay, 1200);
    const rateLimited = classify({ status: 429, headers: { 'retry-after': '5' } });
    assert.equal(toApplicationFailure(rateLimited, { backoff, random: always(0) }).nextRetryDelay, 5000);
  });

  it('redacts secrets even in a hand-built classification', () => {
    const failure = toApplicationFailure({ type: 'AuthFailed', retryable: false, message: 'key sk-ant-secret123 rejected' });
    assert.equal(failure.message, 'key [REDACTED] rejected');
  });

  it('round-trips: classifying the failure gives back the classification', () => {
    const classified = classify(anthropicError(529, 'overloaded_error', 'Overloaded', { 'retry-after': '3' }));
    assert.deepEqual(classify(toApplicationFailure(classified)), classified);
  });
});

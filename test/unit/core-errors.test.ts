import assert from 'node:assert/strict';
import { asGrpcJsError, CoreCallError } from '../../shared/adapters/temporal/core-errors';
import { classifyTemporalError } from '../../shared/adapters/temporal/temporal-unavailable';

/** What Core's bridge rejects with: the SDK's ServiceError shape, the server's message in `message`. */
const coreError = (code: number, message: string) => Object.assign(new Error(message), { name: 'ServiceError', code, details: '', metadata: { get: () => [] } });

describe("Core's client errors read as grpc-js's (asGrpcJsError)", () => {
  const deadline = 10_000;

  it('a request that outlived its timeout is DEADLINE_EXCEEDED, so the API says Temporal did not answer in time', () => {
    const mapped = asGrpcJsError(coreError(1, 'Timeout expired'), deadline, undefined, 9_000) as CoreCallError;
    assert.equal(mapped.code, 4);
    assert.equal(classifyTemporalError(mapped), 'timeout');
    assert.equal((asGrpcJsError(coreError(1, ''), deadline, undefined, deadline) as CoreCallError).code, 4);
  });

  it('a request whose connection went away under it (GOAWAY) is UNAVAILABLE, so it is retried', () => {
    const mapped = asGrpcJsError(coreError(1, 'operation was canceled'), deadline, undefined, 1_000) as CoreCallError;
    assert.equal(mapped.code, 14);
    assert.equal(mapped.details, 'operation was canceled');
    assert.equal(classifyTemporalError(mapped), 'unreachable');
  });

  it("a request the HTTP/2 layer failed as the connection closed (INTERNAL 'h2 protocol error') is UNAVAILABLE, so it is retried", () => {
    const mapped = asGrpcJsError(coreError(13, 'h2 protocol error: http2 error'), deadline, undefined, 1_000) as CoreCallError;
    assert.equal(mapped.code, 14);
    assert.equal(classifyTemporalError(mapped), 'unreachable');
    const serverInternal = coreError(13, 'something broke in the history service');
    assert.equal((asGrpcJsError(serverInternal, deadline, undefined, 1_000) as CoreCallError).code, 13);
  });

  it('a call the caller aborted stays CANCELLED', () => {
    const aborted = AbortSignal.abort();
    const error = coreError(1, 'operation was canceled');
    assert.equal(asGrpcJsError(error, deadline, aborted, 1_000), error);
  });

  it("the server's message becomes the details; the error keeps its class, code and metadata", () => {
    const error = coreError(5, 'workflow not found for ID: x');
    const mapped = asGrpcJsError(error, deadline, undefined, 1_000) as typeof error;
    assert.equal(mapped, error);
    assert.equal(mapped.code, 5);
    assert.equal(mapped.details, 'workflow not found for ID: x');
    assert.equal(classifyTemporalError(mapped), 'answered');
  });

  it('leaves errors that are not gRPC statuses alone', () => {
    const plain = new TypeError('bad request data');
    assert.equal(asGrpcJsError(plain, deadline, undefined, 1_000), plain);
    assert.equal((plain as { details?: string }).details, undefined);
  });
});

import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import { TEMPORAL_RETRY_AFTER_SECONDS } from '../shared/adapters/temporal-client';
import { TemporalUnavailableError, temporalUnreachableReason } from '../shared/adapters/temporal/temporal-unavailable';
import { missingKeyIdOf } from '../shared/adapters/payload-codec';

/** An error a client caused or should know about; rendered as `{error: {code, message, field?}}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
    /** More fields of the error object, e.g. `budget` of a 429 budget_exceeded. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string, id: string) => new HttpError(404, 'not_found', `${what} ${id} does not exist`);

export function validationError(error: z.ZodError): HttpError {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join('.') || undefined;
  const message = field ? `${field}: ${issue.message}` : issue.message;
  return new HttpError(400, 'invalid_request', message, field);
}

/** Errors raised by express.json() before a route runs, by their `type`. */
const BODY_PARSER_ERRORS: Record<string, (error: { limit?: number }) => HttpError> = {
  'entity.parse.failed': () => new HttpError(400, 'malformed_json', 'request body is not valid JSON'),
  'entity.too.large': (error) =>
    new HttpError(413, 'payload_too_large', `request body exceeds the limit of ${error.limit ?? 'the configured'} bytes`),
  'encoding.unsupported': () => new HttpError(415, 'unsupported_encoding', 'request body encoding is not supported'),
  'charset.unsupported': () => new HttpError(415, 'unsupported_charset', 'request body charset is not supported'),
  'request.aborted': () => new HttpError(400, 'request_aborted', 'request body was not received completely'),
  'request.size.invalid': () => new HttpError(400, 'invalid_content_length', 'request body size does not match Content-Length'),
  'stream.encoding.set': () => new HttpError(400, 'invalid_request', 'request body could not be read'),
};

/** What history holds cannot be read until the operator puts the key back: a 503 naming it, never a 500. */
export function missingKeyError(keyId: string): HttpError {
  return new HttpError(
    503,
    'encryption_key_missing',
    `this data is encrypted with key "${keyId}", which this service is not configured with: add it back to PAYLOAD_ENCRYPTION_KEYS or PAYLOAD_DECRYPT_ONLY_KEYS`,
  );
}

const temporalUnavailable = (message: string, retryAfterSeconds: number) =>
  new HttpError(503, 'temporal_unavailable', message, undefined, { 'Retry-After': String(retryAfterSeconds) });

function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof TemporalUnavailableError) return temporalUnavailable(error.message, error.retryAfterSeconds);
  // A Temporal call outside the guard that found the server away is still the same honest answer.
  if (temporalUnreachableReason(error)) return temporalUnavailable('Temporal is not reachable or did not answer in time; retry shortly', TEMPORAL_RETRY_AFTER_SECONDS);
  const missingKeyId = missingKeyIdOf(error);
  if (missingKeyId) return missingKeyError(missingKeyId);
  const type = (error as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && BODY_PARSER_ERRORS[type]) return BODY_PARSER_ERRORS[type](error as { limit?: number });
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, 'invalid_request', (error as Error).message || 'invalid request');
  }
  return undefined;
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'route_not_found', `no route for ${req.method} ${req.path}`));
};

export function errorHandler(log: (message: string) => void): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const httpError = toHttpError(error);
    if (httpError) {
      res.status(httpError.status).set(httpError.headers).json({
        error: { code: httpError.code, message: httpError.message, ...(httpError.field ? { field: httpError.field } : {}), ...httpError.details },
      });
      return;
    }
    // Only the error's name and message: request bodies and secrets stay out of the log.
    log(`api: ${req.method} ${req.path} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    res.status(500).json({ error: { code: 'internal_error', message: 'internal error' } });
  };
}

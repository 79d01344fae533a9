/**
 * Request bodies as JSON, with express.json()'s results and errors, but without its general machinery
 * for the usual request: `Content-Type: application/json` (charset utf-8 or none), a Content-Length
 * within the limit and no Content-Encoding. Every other request (compressed, chunked, another charset,
 * too large, already read) goes to express.json() itself, unread.
 */
import { AsyncResource } from 'node:async_hooks';
import express, { type Request, type RequestHandler } from 'express';

const PLAIN_JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);
const DECIMAL = /^\d{1,15}$/;
const UTF8_BOM = 0xfeff;

/** The body's byte length when the lean reader can take this request as express.json() would; else undefined. */
export function plainJsonBodyLength(headers: Record<string, string | string[] | undefined>, limit: number): number | undefined {
  const type = headers['content-type'];
  const length = headers['content-length'];
  if (typeof type !== 'string' || !PLAIN_JSON_TYPES.has(type.toLowerCase())) return undefined;
  if (headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined) return undefined;
  if (typeof length !== 'string' || !DECIMAL.test(length)) return undefined;
  const bytes = Number(length);
  return bytes > 0 && bytes <= limit ? bytes : undefined;
}

/** A parse failure as body-parser reports it: the error handler maps it by `type`. */
function bodyError(error: Error, type: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(error, { status: 400, statusCode: 400, expose: true, type, ...extra });
}

/**
 * JSON.parse with body-parser's `strict` rule: only an object or an array at the top, after optional
 * whitespace; an empty body is `{}`. A UTF-8 byte order mark is dropped first, as its decoder does.
 */
export function parseStrictJson(text: string): unknown {
  const body = text.charCodeAt(0) === UTF8_BOM ? text.slice(1) : text;
  if (body.length === 0) return {};
  const first = body[0] === '{' || body[0] === '[' ? body[0] : body.trimStart()[0];
  if (first !== '{' && first !== '[') throw bodyError(new SyntaxError('request body is not a JSON object or array'), 'entity.parse.failed', { body });
  try {
    return JSON.parse(body);
  } catch (error) {
    throw bodyError(error as Error, 'entity.parse.failed', { body });
  }
}

/** Requests whose body the lean reader parsed: their Content-Type is JSON, no need to parse it again. */
const readAsPlainJson = new WeakSet<object>();

/** Whether the request's body is JSON, by its Content-Type (as `req.is('application/json')`, cheaper when the lean reader took it). */
export const isJsonRequest = (req: Request): boolean => readAsPlainJson.has(req) || Boolean(req.is('application/json'));

export function jsonBody(options: { limit: number }): RequestHandler {
  const general = express.json({ limit: options.limit });
  return (req, res, next) => {
    const length = req.complete ? undefined : plainJsonBodyLength(req.headers, options.limit);
    if (length === undefined) return general(req, res, next);
    readAsPlainJson.add(req);
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    // Stream events run in the socket's async context: the rest of the chain must run in the request's
    // (its trace span, the Temporal client's deadline), as raw-body keeps it for express.json(). A
    // resource of our own, not AsyncResource.bind(): that defines deprecation wrappers on every call
    // (about 9 µs here, against 0.1 µs).
    const requestContext = new AsyncResource('JsonBody');
    const proceed = (error?: unknown) => requestContext.runInAsyncScope(next, null, error);
    // Inline callbacks, no removal: 'end' and 'close' both settle once, and nothing more arrives after
    // 'end'. An IncomingMessage emits 'error' only to listeners, so an abort shows as 'close' alone.
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    req.on('end', () => {
      settled = true;
      if (received !== length) return proceed(bodyError(new Error('request size did not match content length'), 'request.size.invalid', { expected: length, received }));
      let body: unknown;
      try {
        body = parseStrictJson((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received)).toString('utf8'));
      } catch (error) {
        return proceed(error);
      }
      req.body = body;
      proceed();
    });
    req.on('close', () => {
      if (settled || req.complete) return;
      settled = true;
      proceed(bodyError(new Error('request aborted'), 'request.aborted', { expected: length, received }));
    });
  };
}

/**
 * One limit, one message: a body too large for the JSON parser and a `content` over DOCUMENT_MAX_BYTES
 * are the same mistake to a client, so both answers name the variable and its value.
 */
import type { ErrorRequestHandler } from 'express';
import { HttpError } from './errors';

export function documentTooLargeMessage(maxBytes: number): string {
  return `content exceeds DOCUMENT_MAX_BYTES (${maxBytes} bytes)`;
}

/** After express.json(): its "entity.too.large" error, in the words of the document limit. */
export function bodyTooLargeAsDocumentLimit(maxBytes: number): ErrorRequestHandler {
  return (error, _req, _res, next) => {
    const tooLarge = (error as { type?: unknown } | null)?.type === 'entity.too.large';
    next(tooLarge ? new HttpError(413, 'payload_too_large', documentTooLargeMessage(maxBytes)) : error);
  };
}

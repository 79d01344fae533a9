/**
 * The body of a cache-hit `POST /api/analyze`, spliced around the answer's JSON text that the cache
 * serialized once (AnalysisCache.readJson) instead of parsing and serializing it again on every hit.
 * The text is byte for byte what `res.json` sent before for the same answer (unit-tested).
 */
import type { Response } from 'express';
import { jobCostOf } from './job-view';

const BEFORE_DOCUMENT = '{"status":"completed","cached":true,';
const AFTER_DOCUMENT = `"tokens":{"input":0,"output":0},"cost":${JSON.stringify(jobCostOf(0))},"result":`;

/** `{status: 'completed', cached: true, documentId, tokens, cost, result}` as JSON, without parsing the answer. */
export function cacheHitResponseJson(answerJson: string, documentId: string | undefined): string {
  const document = documentId === undefined ? '' : `"documentId":${JSON.stringify(documentId)},`;
  return `${BEFORE_DOCUMENT}${document}${AFTER_DOCUMENT}${answerJson}}`;
}

/**
 * What `res.json(value)` sends in answer to a POST when `text` is `JSON.stringify(value)`: the same
 * headers, in the same order, and the same body (unit-tested side by side), without `res.send`'s
 * general work (charset parsing, GET freshness, HEAD, 204/304), and without its ETag: a POST's answer
 * is never revalidated, and hashing each body cost a cache hit about 7 µs. Only for a POST's answer.
 */
export function sendJsonText(res: Response, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(Buffer.byteLength(text, 'utf8')));
  res.end(text, 'utf8');
}

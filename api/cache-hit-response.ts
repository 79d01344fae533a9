/**
 * The body of a cache-hit `POST /api/analyze`, spliced around the answer's JSON text that the cache
 * serialized once (AnalysisCache.readJson) instead of parsing and serializing it again on every hit.
 * The text is byte for byte what `res.json` sent before for the same answer (unit-tested).
 */
import { jobCostOf } from './job-view';

const BEFORE_DOCUMENT = '{"status":"completed","cached":true,';
const AFTER_DOCUMENT = `"tokens":{"input":0,"output":0},"cost":${JSON.stringify(jobCostOf(0))},"result":`;

/** `{status: 'completed', cached: true, documentId, tokens, cost, result}` as JSON, without parsing the answer. */
export function cacheHitResponseJson(answerJson: string, documentId: string | undefined): string {
  const document = documentId === undefined ? '' : `"documentId":${JSON.stringify(documentId)},`;
  return `${BEFORE_DOCUMENT}${document}${AFTER_DOCUMENT}${answerJson}}`;
}

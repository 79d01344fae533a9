/**
 * Cache keys that every process derives identically: sha256 over a canonical JSON of the request.
 * The seed's `hash(frozenset(options.items()))` was salted per process, so two workers never shared an
 * entry and a restart orphaned them all; a content hash has neither problem.
 */
import { hash } from 'node:crypto';

export interface AnalysisCacheKeyInput {
  /** Hash of the document text: an edited document gets new keys without any invalidation. */
  contentHash: string;
  analysisType: string;
  modelTier: string;
  /** Bumped when a prompt changes, so answers to the old prompt are never served for the new one. */
  promptVersion: string;
  options?: Record<string, unknown>;
}

/**
 * JSON with object keys sorted at every depth, so `{a, b}` and `{b, a}` serialize alike. Undefined
 * object properties are dropped, as JSON.stringify drops them.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value));
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object') return value;
  // Let Date and friends serialize as JSON.stringify would, rather than as `{}`.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) sorted[key] = sortKeysDeep(field);
  }
  return sorted;
}

/**
 * The canonical JSON of `{contentHash, analysisType, modelTier, promptVersion, options}`, written with
 * its keys already in sorted order: the same text `canonicalJson` makes of that object (unit-tested),
 * without sorting on every request. No options and empty options ask for the same analysis.
 */
export function analysisKeyText(input: AnalysisCacheKeyInput): string {
  return (
    `{"analysisType":${JSON.stringify(input.analysisType)},"contentHash":${JSON.stringify(input.contentHash)},` +
    `"modelTier":${JSON.stringify(input.modelTier)},"options":${canonicalJson(input.options ?? {})},"promptVersion":${JSON.stringify(input.promptVersion)}}`
  );
}

export function analysisCacheKey(input: AnalysisCacheKeyInput): string {
  return hash('sha256', analysisKeyText(input), 'hex');
}

/** The tag that groups every cached analysis of one document, for `invalidateTag` on update or delete. */
export function documentCacheTag(documentId: string): string {
  return `doc:${documentId}`;
}

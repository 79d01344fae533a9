import { z } from 'zod';
import { DOCUMENT_ID_PATTERN } from '../shared/adapters/documents/document-store';
import { ANALYSIS_TYPES, JOB_STATUSES } from '../shared/core/job-types';
import { DEFAULT_JOB_PRIORITY, JOB_PRIORITIES } from '../shared/core/scheduling/task-priority';

const MAX_METADATA_DEPTH = 32;

/** Nesting depth of a parsed JSON value, without recursion (a 10,000-deep array must not blow the stack). */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_METADATA_DEPTH) return deepest;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/** Anything an analysis request can vary that changes the answer; part of the cache key. */
const analysisOptions = {
  analysisType: z.enum(ANALYSIS_TYPES).default('full'),
  maxTokens: z.number().int().min(64).max(32_000).optional(),
};

/** How a request is scheduled; not part of the cache key (the answer is the same). */
const schedulingOptions = {
  priority: z
    .enum(JOB_PRIORITIES)
    .default(DEFAULT_JOB_PRIORITY)
    .meta({ description: 'Temporal task priority of the job: urgent work is dispatched before normal, normal before background, while each client key shares dispatch fairly with the others' }),
  deferred: z
    .boolean()
    .optional()
    .meta({ description: "true: through the provider's batch API (Anthropic Message Batches, OpenAI Batch) at half price, answered within 24 h; what the batch does not answer takes the usual chain. Batches default to DEFERRED_BATCHES_BY_DEFAULT, single requests to false" }),
};

export const createDocumentSchema = z
  .object({
    content: z.string().min(1, 'must not be empty'),
    title: z.string().max(500).optional(),
    metadata: z
      .record(z.string(), z.unknown())
      .refine((value) => jsonDepth(value) <= MAX_METADATA_DEPTH, `must not nest deeper than ${MAX_METADATA_DEPTH} levels`)
      .optional(),
  })
  .strict();

export const updateDocumentSchema = createDocumentSchema;

/** Either a stored document or inline content (stored first, so workers read it like any other). */
export const analyzeRequestSchema = z
  .object({
    documentId: z.string().optional(),
    content: z.string().min(1, 'must not be empty').optional(),
    title: z.string().max(500).optional(),
    ...analysisOptions,
    ...schedulingOptions,
  })
  .strict()
  .superRefine((body, context) => {
    if ((body.documentId === undefined) === (body.content === undefined)) {
      context.addIssue({ code: 'custom', path: ['documentId'], message: 'give exactly one of documentId or content' });
    }
    if (body.title !== undefined && body.content === undefined) {
      context.addIssue({ code: 'custom', path: ['title'], message: 'title goes with inline content only' });
    }
  });

/** Query parameters arrive as strings (the app uses the simple query parser: a repeated key is an array → 400). */
const integerParam = (min: number, max: number) => z.string().regex(/^\d{1,6}$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max));

/** POST /api/analyze?wait=N: hold the answer until the job has finished, for at most N seconds. */
export const analyzeQuerySchema = z.object({ wait: integerParam(0, 30).optional() }).strict();

export const listJobsQuerySchema = z
  .object({
    status: z.enum(JOB_STATUSES).optional(),
    documentId: z.string().regex(DOCUMENT_ID_PATTERN, 'is not a document id').optional(),
    pageSize: integerParam(1, 100).default(20),
  })
  .strict();

export const readJobQuerySchema = z
  .object({
    wait: integerParam(0, 30).optional(),
    since: z.string().regex(/^[0-9a-f]{16}$/, 'is not a job version').optional(),
    until: z.literal('finished').optional(),
  })
  .strict();

export const analyzeBatchRequestSchema = z
  .object({
    documentIds: z
      .array(z.string().regex(DOCUMENT_ID_PATTERN, 'is not a document id'))
      .min(1)
      .max(100)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a document'),
    concurrency: z.number().int().min(1).max(20).default(5),
    ...analysisOptions,
    ...schedulingOptions,
  })
  .strict();

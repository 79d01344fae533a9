import { z } from 'zod';
import { ANALYSIS_TYPES } from '../shared/job-types';

/** Anything an analysis request can vary that changes the answer; part of the cache key. */
const analysisOptions = {
  analysisType: z.enum(ANALYSIS_TYPES).default('full'),
  maxTokens: z.number().int().min(64).max(32_000).optional(),
};

export const createDocumentSchema = z
  .object({
    content: z.string().min(1, 'must not be empty'),
    title: z.string().max(500).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
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

import { z } from 'zod';
import { ANALYSIS_TYPES } from '../shared/job-types';

export const createDocumentSchema = z
  .object({
    content: z.string().min(1, 'must not be empty'),
    title: z.string().max(500).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const analyzeRequestSchema = z
  .object({
    documentId: z.string(),
    analysisType: z.enum(ANALYSIS_TYPES).default('full'),
  })
  .strict();

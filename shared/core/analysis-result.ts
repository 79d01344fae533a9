import { z } from 'zod';

export const SENTIMENT_LABELS = ['positive', 'neutral', 'negative', 'mixed'] as const;

/** What a provider's analysis must contain; every provider's output is validated against it. */
export const analysisContentSchema = z.object({
  summary: z.string(),
  keyPoints: z.array(z.string()),
  entities: z.array(z.object({ name: z.string().min(1), type: z.string().min(1) })),
  sentiment: z.object({
    label: z.enum(SENTIMENT_LABELS),
    score: z.number().min(-1).max(1),
  }),
  topics: z.array(z.string()),
  language: z.string().min(1),
});

export const analysisMetaSchema = z.object({
  provider: z.string(),
  model: z.string(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  latencyMs: z.number().nonnegative(),
  cached: z.boolean(),
  attempts: z.number().int().positive(),
  /** The model tier used (remote providers); the operation mode may lower the one asked for. */
  tier: z.enum(['advanced', 'light']).optional(),
  /** Error type of each attempt that failed before this answer, oldest first. */
  attemptErrors: z.array(z.string()).optional(),
  /** Prompt tokens read from / written to the provider's prompt cache (part of inputTokens). */
  cacheReadTokens: z.number().int().nonnegative().optional(),
  cacheWriteTokens: z.number().int().nonnegative().optional(),
  /** What this answer's attempt cost, in nano-dollars (1e-9 USD); 0 for the local analyzer. */
  costNanoUsd: z.number().int().nonnegative().optional(),
  /** Tokens and cost of every attempt of the step that produced this answer, failed ones included. */
  attemptSpend: z
    .array(
      z.object({
        attempt: z.number().int().positive(),
        model: z.string(),
        outcome: z.string(),
        inputTokens: z.number().int().nonnegative(),
        outputTokens: z.number().int().nonnegative(),
        cacheReadTokens: z.number().int().nonnegative(),
        cacheWriteTokens: z.number().int().nonnegative(),
        costNanoUsd: z.number().int().nonnegative(),
      }),
    )
    .optional(),
});

export const analysisResultSchema = analysisContentSchema.extend({ meta: analysisMetaSchema });

export type AnalysisContent = z.infer<typeof analysisContentSchema>;
export type AnalysisMeta = z.infer<typeof analysisMetaSchema>;
export type AnalysisResult = z.infer<typeof analysisResultSchema>;

/**
 * Zod schemas for the API's responses whose shapes live as TypeScript interfaces elsewhere, written
 * only so the OpenAPI document can be generated from zod like the request schemas. The `mirrors`
 * check at the bottom fails the build when one of them drifts from the interface it describes.
 */
import { z } from 'zod';
import { analysisResultSchema } from '../shared/core/analysis-result';
import { MODEL_TIERS, PROVIDER_NAMES } from '../shared/core/providers/catalog';
import type { DocumentSummary, StoredDocument } from '../shared/adapters/documents/document-store';
import type { HealthCheck, HealthReport } from '../shared/adapters/health/health-report';
import { JOB_STAGES, JOB_STATUSES, type ProviderAttempt, type TokenTotals } from '../shared/core/job-types';
import type { AuditEntry } from '../shared/core/operation-mode/audit';
import type { FlagEvaluation } from '../shared/core/operation-mode/feature-flags';
import { healthComponentSchema } from '../shared/core/operation-mode/health-hysteresis';
import { HEALTH_MODES, OPERATION_MODES, SEVERITIES } from '../shared/core/operation-mode/modes';
import type { ActiveOverride } from '../shared/core/operation-mode/state';
import { TRANSITION_CAUSES } from '../shared/core/operation-mode/transitions';
import type { OperationModeView } from '../shared/core/operation-mode/view';
import type { BatchView } from './batches';
import type { JobView } from './job-view';
import type { JobSummary } from './jobs';

const isoTimestamp = z.string().meta({ format: 'date-time' });

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string().meta({ description: 'Stable machine-readable code, e.g. invalid_request, not_found, analysis_disabled' }),
    message: z.string(),
    field: z.string().optional().meta({ description: 'The request field at fault (dotted path), when there is one' }),
  }),
});

// ---- jobs ----

export const tokenTotalsSchema = z.object({ input: z.number().int().nonnegative(), output: z.number().int().nonnegative() });

export const providerAttemptSchema = z.object({
  provider: z.enum(PROVIDER_NAMES),
  model: z.string().optional(),
  tier: z.enum(MODEL_TIERS).optional(),
  outcome: z.enum(['succeeded', 'failed']),
  attempts: z.number().int().positive().optional(),
  errorType: z.string().optional(),
  errorMessage: z.string().optional(),
  attemptErrors: z.array(z.string()).optional(),
  inputTokens: z.number().int().nonnegative().optional(),
  outputTokens: z.number().int().nonnegative().optional(),
  route: z.enum(['batch', 'sync']).optional().meta({ description: 'batch: this step went through the provider batch API (half price)' }),
});

const routeSchema = z.enum(['batch', 'sync']).meta({ description: 'batch: answered through a provider batch API at half price; sync: a synchronous provider call' });
const batchSavingsSchema = z
  .object({ discount: z.number().min(0).max(1), inputTokens: z.number().int().nonnegative(), outputTokens: z.number().int().nonnegative() })
  .meta({ description: 'Tokens billed at the batch price, and the share of their list price not paid' });
const providerBatchSchema = z.object({
  provider: z.enum(PROVIDER_NAMES),
  batchId: z.string().optional(),
  status: z.enum(['submitting', 'waiting', 'collecting', 'ended', 'failed']),
});

const jobLinksSchema = z.object({
  self: z.string().meta({ description: 'This job in the API' }),
  ui: z.string().meta({ description: 'This job in the Temporal UI' }),
});

export const jobViewSchema = z.object({
  jobId: z.string(),
  status: z.enum(JOB_STATUSES),
  stage: z.enum(JOB_STAGES),
  documentId: z.string().optional(),
  provider: z.string().optional(),
  chain: z.array(providerAttemptSchema).meta({ description: 'The fallback chain so far, one entry per provider tried' }),
  tokens: tokenTotalsSchema.meta({ description: 'Tokens of every provider attempt of this job, failed ones included' }),
  currentAttempt: z
    .object({ provider: z.string().optional(), attempt: z.number().int().positive(), lastFailure: z.string().optional() })
    .optional(),
  result: analysisResultSchema.optional(),
  error: z.object({ type: z.string(), message: z.string() }).optional(),
  startedAt: isoTimestamp.optional(),
  closedAt: isoTimestamp.optional(),
  links: jobLinksSchema,
  route: routeSchema.optional(),
  savings: batchSavingsSchema.optional(),
  providerBatch: providerBatchSchema.optional().meta({ description: 'The provider batch a deferred job waits on' }),
  version: z.string().describe('changes with status, stage, provider, chain or attempt; pass as ?since= when long-polling'),
});

/** 202 from POST /api/analyze: the new (or joined) job, with the model tier it was started with. */
export const jobAcceptedSchema = jobViewSchema.extend({ documentId: z.string(), tier: z.enum(MODEL_TIERS) });

export const jobSummarySchema = z.object({
  jobId: z.string(),
  status: z.enum(JOB_STATUSES),
  documentId: z.string().optional(),
  provider: z.string().optional(),
  startedAt: isoTimestamp,
  closedAt: isoTimestamp.optional(),
  links: jobLinksSchema,
});

export const jobListSchema = z.object({ jobs: z.array(jobSummarySchema) });

export const jobCancellingSchema = z.object({ jobId: z.string(), status: z.literal('cancelling') });

export const cachedAnalysisSchema = z.object({
  status: z.literal('completed'),
  cached: z.literal(true),
  documentId: z.string().optional(),
  tokens: tokenTotalsSchema,
  result: analysisResultSchema,
});

// ---- batches ----

const batchChildSchema = z.object({
  documentId: z.string(),
  jobId: z.string().optional().meta({ description: 'The child job; absent for a document answered by the provider batch (its answer is in the cache)' }),
  status: z.enum(JOB_STATUSES),
  provider: z.string().optional(),
  errorType: z.string().optional(),
  route: routeSchema.optional(),
});

/** Both the 202 of a new batch (progress fields absent) and a batch read. */
export const batchViewSchema = z.object({
  batchId: z.string(),
  deferred: z.boolean().optional().meta({ description: 'In the 202 of a new batch: whether it takes the half-price route' }),
  status: z.enum(['running', 'completed', 'failed', 'cancelled']),
  total: z.number().int().nonnegative().optional(),
  counts: z.record(z.enum(JOB_STATUSES), z.number().int().nonnegative()).optional(),
  peakRunning: z.number().int().nonnegative().optional().meta({ description: 'The most children seen running at once' }),
  children: z.array(batchChildSchema).optional(),
  providerBatch: providerBatchSchema.optional(),
  savings: batchSavingsSchema.optional(),
  links: jobLinksSchema,
});

// ---- documents ----

export const documentSummarySchema = z.object({
  id: z.string(),
  title: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  contentSha256: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});

export const storedDocumentSchema = documentSummarySchema.extend({ content: z.string() });

// ---- health ----

const healthStatusSchema = z.enum(['pass', 'warn', 'fail']);

export const healthCheckSchema = z.object({
  status: healthStatusSchema,
  critical: z.boolean(),
  componentType: z.string().optional(),
  observedValue: z.unknown().optional(),
  observedUnit: z.string().optional(),
  output: z.string().optional(),
  time: isoTimestamp,
});

export const healthReportSchema = z.looseObject({
  status: healthStatusSchema,
  description: z.string(),
  checks: z.record(z.string(), z.array(healthCheckSchema)),
});

export const livenessSchema = z.object({ status: z.literal('pass'), uptimeSeconds: z.number().int().nonnegative() });

export const readinessSchema = z.object({
  status: z.enum(['pass', 'fail']),
  operationMode: z.enum(OPERATION_MODES).nullable(),
  notes: z.array(z.string()).optional(),
  output: z.string().optional(),
});

// ---- operation mode and feature flags ----

export const flagEvaluationSchema = z.object({
  flag: z.string(),
  value: z.boolean(),
  reason: z.enum(['MODE_VALUE', 'DEFAULT', 'UNAVAILABLE', 'UNKNOWN_FLAG']),
  mode: z.enum(OPERATION_MODES).optional(),
  errorMessage: z.string().optional(),
});

export const featureFlagsSchema = z.object({ flags: z.record(z.string(), flagEvaluationSchema) });

const activeOverrideSchema = z.object({
  mode: z.enum(OPERATION_MODES),
  reason: z.string(),
  actor: z.string(),
  severity: z.enum(SEVERITIES),
  setAt: isoTimestamp,
  expiresAt: isoTimestamp.optional(),
});

export const auditEntrySchema = z.object({
  from: z.enum(OPERATION_MODES),
  to: z.enum(OPERATION_MODES),
  cause: z.enum(TRANSITION_CAUSES),
  actor: z.string(),
  reason: z.string(),
  at: isoTimestamp,
  checks: z.array(healthComponentSchema),
});

export const operationModeViewSchema = z.object({
  mode: z.enum(OPERATION_MODES),
  modeSince: isoTimestamp,
  healthMode: z.enum(HEALTH_MODES),
  override: activeOverrideSchema.optional(),
  reasons: z.array(z.object({ component: z.string(), description: z.string(), severity: z.enum(SEVERITIES) })),
  flags: z.record(z.string(), flagEvaluationSchema),
});

export const operationModeStatusSchema = operationModeViewSchema.extend({
  transitionCount: z.number().int().nonnegative().optional(),
  audit: z.array(auditEntrySchema).meta({ description: 'The newest transitions, oldest first' }),
});

export const operationModeChangeSchema = operationModeViewSchema.extend({
  transitions: z.array(auditEntrySchema).meta({ description: 'Transitions this request caused (empty when the mode stayed)' }),
});

// ---- the mirrors stay honest ----

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const mirrors: {
  jobView: Same<z.output<typeof jobViewSchema>, JobView>;
  jobSummary: Same<z.output<typeof jobSummarySchema>, JobSummary>;
  batchView: Same<z.output<typeof batchViewSchema>, BatchView>;
  providerAttempt: Same<z.output<typeof providerAttemptSchema>, ProviderAttempt>;
  tokenTotals: Same<z.output<typeof tokenTotalsSchema>, TokenTotals>;
  documentSummary: Same<z.output<typeof documentSummarySchema>, DocumentSummary>;
  storedDocument: Same<z.output<typeof storedDocumentSchema>, StoredDocument>;
  healthCheck: Same<z.output<typeof healthCheckSchema>, HealthCheck>;
  healthReport: Same<z.output<typeof healthReportSchema>, HealthReport>;
  flagEvaluation: Same<z.output<typeof flagEvaluationSchema>, FlagEvaluation>;
  activeOverride: Same<z.output<typeof activeOverrideSchema>, ActiveOverride>;
  auditEntry: Same<z.output<typeof auditEntrySchema>, AuditEntry>;
  operationModeView: Same<z.output<typeof operationModeViewSchema>, OperationModeView>;
} = {
  jobView: true,
  jobSummary: true,
  batchView: true,
  providerAttempt: true,
  tokenTotals: true,
  documentSummary: true,
  storedDocument: true,
  healthCheck: true,
  healthReport: true,
  flagEvaluation: true,
  activeOverride: true,
  auditEntry: true,
  operationModeView: true,
};
void mirrors;

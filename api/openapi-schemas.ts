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
import { HEALTH_MODES, OPERATION_MODES, SEVERITIES } from '../shared/core/operation-mode/modes';
import type { ActiveOverride } from '../shared/core/operation-mode/state';
import { TRANSITION_CAUSES } from '../shared/core/operation-mode/transitions';
import type { OperationModeView } from '../shared/core/operation-mode/view';
import { BUDGET_LEVELS } from '../shared/core/operation-mode/budget-mode';
import { BUDGET_UNITS, BUDGET_WINDOWS } from '../shared/core/spend/budget';
import type { LedgerUsage } from './routes/usage';
import type { BatchView } from './batches';
import type { CachedJobView } from './cached-job';
import type { JobView } from './job-view';
import type { JobSummary } from './jobs';

const isoTimestamp = z.string().meta({ format: 'date-time' });

const healthComponentSchema = z.object({
  name: z.string().min(1),
  critical: z.boolean(),
  ok: z.boolean(),
  observed: z.unknown().optional(),
  message: z.string().optional(),
});

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string().meta({ description: 'Stable machine-readable code, e.g. invalid_request, not_found, analysis_disabled' }),
    message: z.string(),
    field: z.string().optional().meta({ description: 'The request field at fault (dotted path), when there is one' }),
    budget: z
      .object({
        key: z.string().meta({ description: 'The ledger: `<key id>|<window id>`, e.g. key:1a2b3c4d|day:2026-11-30' }),
        window: z.enum(BUDGET_WINDOWS),
        unit: z.enum(BUDGET_UNITS),
        limit: z.number().int().nonnegative(),
        spent: z.number().int().nonnegative(),
        resetsAt: isoTimestamp,
      })
      .optional()
      .meta({ description: 'With budget_exceeded (429): the budget this request cannot fit in; Retry-After counts down to resetsAt' }),
  }),
});

// ---- usage ----

const amountSchema = z.object({ tokens: z.number().int().nonnegative(), nanoUsd: z.number().int().nonnegative(), usd: z.number().nonnegative() });

export const ledgerUsageSchema = z.object({
  scope: z.string().meta({ description: 'A key id (key:1a2b3c4d) or global' }),
  window: z.string(),
  windowId: z.string().meta({ description: 'e.g. day:2026-11-30' }),
  resetsAt: isoTimestamp,
  spent: amountSchema.meta({ description: 'Settled spend: what the providers reported (requests given up on count at their worst case)' }),
  reserved: amountSchema.extend({ count: z.number().int().nonnegative() }).meta({ description: 'Worst cases held by provider requests in flight' }),
  limit: z.object({ tokens: z.number().int().nonnegative().optional(), nanoUsd: z.number().int().nonnegative().optional(), usd: z.number().nonnegative().optional() }),
});

export const usageSchema = z.object({
  scope: z.string().meta({ description: "The caller's key id" }),
  admin: z.boolean(),
  ledgers: z.array(ledgerUsageSchema).meta({ description: "The caller's windows (day, month and every limited one); an admin also gets the global ledgers and every key's current windows" }),
});

// ---- jobs ----

export const tokenTotalsSchema = z.object({
  input: z.number().int().nonnegative(),
  output: z.number().int().nonnegative(),
  cacheRead: z.number().int().nonnegative().optional().meta({ description: 'Prompt tokens read from the provider cache (part of input)' }),
  cacheWrite: z.number().int().nonnegative().optional().meta({ description: 'Prompt tokens written to the provider cache (part of input)' }),
});

const attemptSpendSchema = analysisResultSchema.shape.meta.shape.attemptSpend.unwrap().element;

export const costSchema = z
  .object({
    nanoUsd: z.number().int().nonnegative().meta({ description: 'Exact cost in nano-dollars (1e-9 USD)' }),
    usd: z.number().nonnegative().meta({ description: 'The same in US dollars, for display' }),
  })
  .meta({ description: 'Cost of every provider attempt of this job, failed attempts and repair requests included; a cache hit costs 0' });

export const providerAttemptSchema = z.object({
  provider: z.enum(PROVIDER_NAMES),
  model: z.string().optional(),
  tier: z.enum(MODEL_TIERS).optional(),
  outcome: z.enum(['succeeded', 'failed', 'cancelled']),
  attempts: z.number().int().positive().optional(),
  errorType: z.string().optional(),
  errorMessage: z.string().optional(),
  attemptErrors: z.array(z.string()).optional(),
  inputTokens: z.number().int().nonnegative().optional(),
  outputTokens: z.number().int().nonnegative().optional(),
  cacheReadTokens: z.number().int().nonnegative().optional(),
  cacheWriteTokens: z.number().int().nonnegative().optional(),
  costNanoUsd: z.number().int().nonnegative().optional().meta({ description: "The step's cost in nano-dollars, every attempt included" }),
  attemptSpend: z.array(attemptSpendSchema).optional().meta({ description: 'Tokens and cost of each attempt of this step' }),
  route: z.enum(['batch', 'sync']).optional().meta({ description: 'batch: this step went through the provider batch API (half price)' }),
});

const routeSchema = z.enum(['batch', 'sync']).meta({ description: 'batch: answered through a provider batch API at half price; sync: a synchronous provider call' });
const batchSavingsSchema = z
  .object({
    discount: z.number().min(0).max(1),
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    costNanoUsd: z.number().int().nonnegative().meta({ description: 'Paid at the batch price, in nano-dollars' }),
    savedNanoUsd: z.number().int().nonnegative().meta({ description: 'The synchronous price of the same tokens minus what was paid, in nano-dollars' }),
  })
  .meta({ description: 'Tokens billed at the batch price, the share of the synchronous price not paid, and the money paid and saved' });
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
  cost: costSchema.optional(),
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

/** GET /api/jobs/:id: the job, or (Temporal away) its answer from the analysis cache, marked as such. */
export const jobReadSchema = jobViewSchema.extend({
  servedFrom: z.literal('cache').optional().meta({ description: 'Present when Temporal was away and the finished job came from the analysis cache (no chain or tokens then)' }),
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
  cost: costSchema,
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
  reason: z.enum(['MODE_VALUE', 'DEFAULT', 'UNAVAILABLE', 'UNKNOWN_FLAG', 'BUDGET']),
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
  budget: z
    .object({ level: z.enum(BUDGET_LEVELS), reason: z.string(), resetsAt: isoTimestamp.optional() })
    .optional()
    .meta({ description: "The global budget's level: degraded (light models) at BUDGET_DEGRADE_AT of a limit, exhausted (local only) at 100 %" }),
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
  jobRead: Same<z.output<typeof jobReadSchema>, JobView & { servedFrom?: CachedJobView['servedFrom'] }>;
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
  ledgerUsage: Same<z.output<typeof ledgerUsageSchema>, LedgerUsage>;
} = {
  jobView: true,
  jobRead: true,
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
  ledgerUsage: true,
};
void mirrors;

/**
 * The API's OpenAPI 3.1 document, its schemas generated from the same zod schemas the routes validate
 * with (so the document cannot drift from what the API accepts), and Swagger UI to browse it.
 */
import { Router, type RequestHandler } from 'express';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';
import { analysisResultSchema } from '../shared/core/analysis-result';
import { DOCUMENT_ID_PATTERN } from '../shared/adapters/documents/document-store';
import { jsonPayloadsSchema } from '../shared/adapters/payload-codec';
import { BATCH_ID_PATTERN } from './batches';
import type { JobEventName } from './job-events';
import { JOB_ID_PATTERN } from './jobs';
import * as responses from './openapi-schemas';
import { clearOverrideSchema, overrideRequestSchema } from './routes/operation-mode';
import { analyzeBatchRequestSchema, analyzeQuerySchema, analyzeRequestSchema, createDocumentSchema, listJobsQuerySchema, readJobQuerySchema, updateDocumentSchema } from './schemas';

export const OPENAPI_JSON_PATH = '/api/openapi.json';
export const SWAGGER_UI_PATH = '/docs';

/** Every schema in `components.schemas`, by the name operations refer to it with. */
const SCHEMAS = {
  CreateDocumentRequest: createDocumentSchema,
  UpdateDocumentRequest: updateDocumentSchema,
  AnalyzeRequest: analyzeRequestSchema,
  BatchAnalyzeRequest: analyzeBatchRequestSchema,
  OperationModeOverrideRequest: overrideRequestSchema,
  ClearOverrideRequest: clearOverrideSchema,
  CodecPayloads: jsonPayloadsSchema,
  Error: responses.errorResponseSchema,
  AnalysisResult: analysisResultSchema,
  CachedAnalysis: responses.cachedAnalysisSchema,
  JobView: responses.jobViewSchema,
  JobRead: responses.jobReadSchema,
  JobAccepted: responses.jobAcceptedSchema,
  JobList: responses.jobListSchema,
  JobCancelling: responses.jobCancellingSchema,
  BatchView: responses.batchViewSchema,
  DocumentSummary: responses.documentSummarySchema,
  StoredDocument: responses.storedDocumentSchema,
  HealthReport: responses.healthReportSchema,
  Liveness: responses.livenessSchema,
  Readiness: responses.readinessSchema,
  FeatureFlags: responses.featureFlagsSchema,
  OperationModeStatus: responses.operationModeStatusSchema,
  OperationModeChange: responses.operationModeChangeSchema,
  Usage: responses.usageSchema,
} satisfies Record<string, z.ZodType>;

type SchemaName = keyof typeof SCHEMAS;
type JsonObject = Record<string, unknown>;

const JSON_SCHEMA_OPTIONS = { target: 'draft-2020-12', io: 'input' } as const;

/** What the analyze request's refinement enforces, which JSON Schema can say but zod cannot generate. */
const ANALYZE_REQUEST_RULES = {
  description: 'Give exactly one of `documentId` (a stored document) or `content` (inline text, stored first). `title` goes with inline `content` only.',
  oneOf: [
    { required: ['documentId'], not: { required: ['content'] } },
    { required: ['content'], not: { required: ['documentId'] } },
  ],
  dependentRequired: { title: ['content'] },
};

export function componentSchemas(): Record<SchemaName, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(SCHEMAS)) {
    // One instance can serve two names (update = create today); a registry keys by instance, and the
    // clone comes out as a $ref to the original's name.
    registry.add(registry.has(schema) ? schema.clone() : schema, { id });
  }
  const { schemas } = z.toJSONSchema(registry, { ...JSON_SCHEMA_OPTIONS, uri: (id) => `#/components/schemas/${id}` });
  const result = Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema as JsonObject]),
  ) as Record<SchemaName, JsonObject>;
  result.AnalyzeRequest = { ...result.AnalyzeRequest, ...ANALYZE_REQUEST_RULES };
  const batch = result.BatchAnalyzeRequest as { properties: { documentIds: JsonObject } };
  batch.properties.documentIds = { ...batch.properties.documentIds, uniqueItems: true };
  return result;
}

// ---- building blocks ----

const schemaRef = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (name: keyof typeof COMMON_RESPONSES) => ({ $ref: `#/components/responses/${name}` });
const jsonBody = (name: SchemaName, mediaType = 'application/json') => ({ content: { [mediaType]: { schema: schemaRef(name) } } });
const reply = (description: string, name?: SchemaName, mediaType?: string) => ({ description, ...(name && jsonBody(name, mediaType)) });
const errorReply = (description: string, headers?: JsonObject) => ({ ...reply(description, 'Error'), ...(headers && { headers }) });

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } } };
const TEMPORAL_AWAY = 'Temporal is not reachable or did not answer in time (temporal_unavailable); the message names its address';

const COMMON_RESPONSES = {
  BadRequest: errorReply('Invalid request (invalid_request, malformed_json)'),
  InvalidId: errorReply('The id in the path is not a valid id (invalid_id)'),
  NotFound: errorReply('No such resource (not_found)'),
  PayloadTooLarge: errorReply('The body or the document is larger than DOCUMENT_MAX_BYTES (payload_too_large, document_too_large)'),
  UnsupportedMediaType: errorReply('The body is not JSON (unsupported_media_type)'),
  Unauthorized: errorReply('No bearer token, or an unknown one (unauthorized)'),
  Forbidden: errorReply('A client key on an admin route (forbidden)'),
  TooManyRequests: errorReply(
    "More than RATE_LIMIT_PER_MINUTE requests from this key (rate_limited), or, on analyze and batch, the key's budget cannot hold the request (budget_exceeded, with `budget`; Retry-After to its window's reset)",
    RETRY_AFTER,
  ),
  OperationModeUnavailable: errorReply('The operation-mode workflow could not be reached (operation_mode_unavailable, temporal_unavailable)', RETRY_AFTER),
  TemporalUnavailable: errorReply(TEMPORAL_AWAY, RETRY_AFTER),
};

const pathParameter = (name: string, pattern: RegExp, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string', pattern: pattern.source } });

/**
 * One query parameter per field of the route's zod object. The routes parse strings into numbers, so
 * the parameter's schema is the parsed (output) side: "integer 0..30" says more than "a digit string".
 */
function queryParameters(schema: z.ZodObject, descriptions: Record<string, string> = {}): JsonObject[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const { $schema: _schema, description = descriptions[name], ...fieldSchema } = z.toJSONSchema(field as z.ZodType, { ...JSON_SCHEMA_OPTIONS, io: 'output' });
    return { name, in: 'query', required: !(field as z.ZodType).safeParse(undefined).success, ...(description && { description }), schema: fieldSchema };
  });
}

/** Who may call an operation; each level documents the auth and rate-limit answers it can get. */
type Access = 'public' | 'client' | 'admin' | 'codec';

const ACCESS_ERRORS: Record<Access, Record<string, JsonObject>> = {
  public: {},
  client: { 401: responseRef('Unauthorized'), 429: responseRef('TooManyRequests') },
  admin: { 401: responseRef('Unauthorized'), 403: responseRef('Forbidden'), 429: responseRef('TooManyRequests') },
  // The codec endpoint checks the key only: no roles, and it sits in front of the rate limiter.
  codec: { 401: responseRef('Unauthorized') },
};

interface OperationSpec {
  tag: string;
  summary: string;
  description?: string;
  access?: Access;
  parameters?: JsonObject[];
  body?: SchemaName;
  responses: Record<string, JsonObject>;
}

function operation({ tag, summary, description, access = 'client', parameters, body, responses: replies }: OperationSpec): JsonObject {
  const adminNote = access === 'admin' ? 'Admin only: needs a key from ADMIN_API_KEYS.' : undefined;
  return {
    tags: [tag],
    summary,
    ...((description || adminNote) && { description: [description, adminNote].filter(Boolean).join('\n\n') }),
    ...(parameters && { parameters }),
    ...(body && { requestBody: { required: true, ...jsonBody(body) } }),
    responses: { ...replies, ...ACCESS_ERRORS[access] },
    // An empty list overrides the document-wide bearer requirement.
    ...(access === 'public' && { security: [] }),
  };
}

const documentId = pathParameter('id', DOCUMENT_ID_PATTERN, 'Document id');
const jobId = pathParameter('id', JOB_ID_PATTERN, 'Job id (the Temporal workflow id)');
const batchId = pathParameter('id', BATCH_ID_PATTERN, 'Batch id (the Temporal workflow id)');
const HEALTH_JSON = 'application/health+json';

const JOB_EVENT_NAMES = ['snapshot', 'stage', 'attempt', 'completed', 'failed', 'cancelled', 'interrupted'] as const satisfies readonly JobEventName[];
const everyJobEventNamed: Exclude<JobEventName, (typeof JOB_EVENT_NAMES)[number]> extends never ? true : false = true;
void everyJobEventNamed;

/** One event of the job stream (OpenAPI describes a `text/event-stream` by the schema of each event). */
const JOB_EVENT_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'The job version this event brings the client to: send it back as Last-Event-ID' },
    event: { type: 'string', enum: JOB_EVENT_NAMES },
    data: { type: 'string', contentMediaType: 'application/json', contentSchema: { type: 'object' }, description: 'One JSON object: the job, a stage, an attempt, or an error' },
    retry: { type: 'integer', minimum: 0, description: 'Milliseconds a client waits before it reconnects' },
  },
};
const bodyErrors = { 400: responseRef('BadRequest'), 413: responseRef('PayloadTooLarge'), 415: responseRef('UnsupportedMediaType') };

/** `codec`: the codec endpoint is served (PAYLOAD_ENCRYPTION_KEYS set); the document describes only what is served. */
export interface OpenApiOptions {
  serverUrl?: string;
  codec?: boolean;
}

function paths({ codec = false }: OpenApiOptions): Record<string, Record<string, JsonObject>> {
  return {
    '/api/documents': {
      post: operation({
        tag: 'documents',
        summary: 'Store a document',
        body: 'CreateDocumentRequest',
        responses: { 201: reply('Stored; Location names it', 'DocumentSummary'), ...bodyErrors },
      }),
    },
    '/api/documents/{id}': {
      get: operation({
        tag: 'documents',
        summary: 'Read a document with its content',
        parameters: [documentId],
        responses: { 200: reply('The document', 'StoredDocument'), 400: responseRef('InvalidId'), 404: responseRef('NotFound') },
      }),
      put: operation({
        tag: 'documents',
        summary: 'Replace a document; cached analyses of it are dropped',
        parameters: [documentId],
        body: 'UpdateDocumentRequest',
        responses: { 200: reply('The updated document', 'DocumentSummary'), ...bodyErrors, 404: responseRef('NotFound') },
      }),
      delete: operation({
        tag: 'documents',
        summary: 'Delete a document and its cached analyses',
        parameters: [documentId],
        responses: { 204: reply('Deleted'), 400: responseRef('InvalidId'), 404: responseRef('NotFound') },
      }),
    },
    '/api/analyze': {
      post: operation({
        tag: 'analysis',
        summary: 'Analyze a stored or inline document',
        description:
          'Answers from the analysis cache when it can (200); otherwise starts a job, or joins the identical one already running (202). ' +
          'With `wait`, a job that finishes within that many seconds is answered here (200, the finished job); one that does not is answered as without it (202).',
        body: 'AnalyzeRequest',
        parameters: queryParameters(analyzeQuerySchema, { wait: 'Seconds to hold the answer until the job has finished (long poll on the job)' }),
        responses: {
          200: {
            description: 'Answered from the cache (no job started), or, with `wait`, the job finished within it',
            content: { 'application/json': { schema: { anyOf: [schemaRef('CachedAnalysis'), schemaRef('JobAccepted')] } } },
          },
          202: { ...reply('Job started; Location names it', 'JobAccepted'), headers: { Location: { schema: { type: 'string' } } } },
          ...bodyErrors,
          404: responseRef('NotFound'),
          503: errorReply(`Analysis is switched off in the current operation mode (analysis_disabled), or ${TEMPORAL_AWAY}`, RETRY_AFTER),
        },
      }),
    },
    '/api/analyze/batch': {
      post: operation({
        tag: 'analysis',
        summary: 'Analyze many stored documents as one batch',
        body: 'BatchAnalyzeRequest',
        responses: {
          202: { ...reply('Batch started; Location names it', 'BatchView'), headers: { Location: { schema: { type: 'string' } } } },
          ...bodyErrors,
          404: responseRef('NotFound'),
          503: errorReply(`Analysis or batch analysis is switched off in the current operation mode (analysis_disabled), or ${TEMPORAL_AWAY}`, RETRY_AFTER),
        },
      }),
    },
    '/api/batches/{id}': {
      get: operation({
        tag: 'analysis',
        summary: 'Read a batch and the state of its documents',
        parameters: [batchId],
        responses: { 200: reply('The batch', 'BatchView'), 400: responseRef('InvalidId'), 404: responseRef('NotFound'), 503: responseRef('TemporalUnavailable') },
      }),
    },
    '/api/jobs': {
      get: operation({
        tag: 'jobs',
        summary: 'List jobs, newest first',
        parameters: queryParameters(listJobsQuerySchema, { documentId: 'Only jobs of this document', pageSize: 'At most this many jobs' }),
        responses: { 200: reply('Matching jobs', 'JobList'), 400: responseRef('BadRequest'), 503: responseRef('TemporalUnavailable') },
      }),
    },
    '/api/jobs/{id}': {
      get: operation({
        tag: 'jobs',
        summary: 'Read a job: status, fallback chain, tokens, result or error',
        description: [
          'With `wait`, answers as soon as the job changes (or closes), or after that many seconds. With `wait` and `until=finished`, answers only once the job has finished (or after `wait` seconds): progress in between does not wake the client.',
          'While Temporal is away, a finished job whose answer is in the analysis cache is answered from there: `servedFrom` is `cache` and so is the `X-Served-From` header.',
        ].join(' '),
        parameters: [jobId, ...queryParameters(readJobQuerySchema, {
          wait: 'Seconds to wait for the job to change or close before answering (long poll)',
          since: 'The version the client saw last: a job at another version answers at once',
          until: '`finished`: wait for the job to finish (completed, failed or cancelled), not for its next change',
        })],
        responses: {
          200: { ...reply('The job', 'JobRead'), headers: { 'X-Served-From': { description: '`cache` when Temporal was away and the answer came from the analysis cache', schema: { type: 'string', enum: ['cache'] } } } },
          400: responseRef('InvalidId'),
          404: responseRef('NotFound'),
          503: responseRef('TemporalUnavailable'),
        },
      }),
      delete: operation({
        tag: 'jobs',
        summary: 'Cancel a job',
        parameters: [jobId],
        responses: {
          202: reply('Cancellation requested; the provider request in flight is aborted', 'JobCancelling'),
          400: responseRef('InvalidId'),
          404: responseRef('NotFound'),
          409: errorReply('The job has already finished (job_closed)'),
          503: responseRef('TemporalUnavailable'),
        },
      }),
    },
    '/api/jobs/{id}/events': {
      get: operation({
        tag: 'jobs',
        summary: 'Follow a job as server-sent events until it closes',
        description: [
          'A `text/event-stream`. Each event\'s `id` is the job version it brings the client to; send it back as `Last-Event-ID` to resume.',
          '`snapshot` (the whole job, first on a new stream), `stage` (status, stage, provider), `attempt` (a provider step that ended, or the attempt in flight),',
          'then one of `completed` (the job with its result), `failed` (with its error) or `cancelled`, after which the stream ends.',
          '`interrupted`: the job could not be read just now; the stream ends and the client reconnects. Comments (`: waiting`) keep quiet streams open.',
        ].join(' '),
        parameters: [jobId, { name: 'Last-Event-ID', in: 'header', required: false, description: 'The last event id received: the stream resumes after it', schema: { type: 'string' } }],
        responses: {
          200: { description: 'The event stream', content: { 'text/event-stream': { schema: JOB_EVENT_SCHEMA } } },
          400: responseRef('InvalidId'),
          404: responseRef('NotFound'),
          503: responseRef('TemporalUnavailable'),
        },
      }),
    },
    '/api/health': {
      get: operation({
        tag: 'health',
        summary: 'Health of every dependency (draft-inadarei-api-health-check)',
        responses: { 200: reply('pass or warn', 'HealthReport', HEALTH_JSON), 503: reply('fail: a critical dependency is down', 'HealthReport', HEALTH_JSON) },
      }),
    },
    '/api/health/live': {
      get: operation({ tag: 'health', access: 'public', summary: 'Liveness: the process answers', responses: { 200: reply('Alive', 'Liveness', HEALTH_JSON) } }),
    },
    '/api/health/ready': {
      get: operation({
        tag: 'health',
        access: 'public',
        summary: 'Readiness: Temporal reachable and the mode is neither EMERGENCY nor MAINTENANCE',
        responses: { 200: reply('Ready', 'Readiness', HEALTH_JSON), 503: reply('Not ready', 'Readiness', HEALTH_JSON) },
      }),
    },
    '/api/usage': {
      get: operation({
        tag: 'spend',
        summary: "Spend, reservations in flight and limits per window: the caller's key; an admin key sees every key and the global budget",
        responses: { 200: reply('Usage per ledger', 'Usage') },
      }),
    },
    '/api/feature-flags': {
      get: operation({ tag: 'operation-mode', summary: 'Every feature flag evaluated in the current mode', responses: { 200: reply('The flags', 'FeatureFlags') } }),
    },
    '/api/operation-mode': {
      get: operation({
        tag: 'operation-mode',
        summary: 'The operation mode, why, and the audit trail',
        responses: { 200: reply('The mode', 'OperationModeStatus'), 503: responseRef('OperationModeUnavailable') },
      }),
      put: operation({
        tag: 'operation-mode',
        access: 'admin',
        summary: 'Override the operation mode',
        body: 'OperationModeOverrideRequest',
        responses: { 200: reply('Override set', 'OperationModeChange'), 400: responseRef('BadRequest'), 415: responseRef('UnsupportedMediaType'), 503: responseRef('OperationModeUnavailable') },
      }),
    },
    '/api/operation-mode/override': {
      delete: operation({
        tag: 'operation-mode',
        access: 'admin',
        summary: 'Clear the override; health decides the mode again',
        description: 'The body is optional.',
        parameters: [],
        responses: { 200: reply('Override cleared', 'OperationModeChange'), 400: responseRef('BadRequest'), 503: responseRef('OperationModeUnavailable') },
      }),
    },
    ...(codec && {
      '/codec/encode': { post: codecOperation('Encrypt payloads') },
      '/codec/decode': { post: codecOperation('Decrypt payloads', { 422: errorReply('A payload could not be decrypted (undecodable_payload)') }) },
    }),
    [OPENAPI_JSON_PATH]: {
      get: operation({ tag: 'docs', access: 'public', summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1 document', content: { 'application/json': {} } } } }),
    },
  };
}

function codecOperation(summary: string, extra: Record<string, JsonObject> = {}): JsonObject {
  return operation({
    tag: 'codec',
    access: 'codec',
    summary,
    description: "Temporal's remote codec server protocol, for the Temporal UI and CLI. CORS is answered for the configured UI origins.",
    parameters: [{ name: 'X-Namespace', in: 'header', required: false, description: 'Accepted and ignored', schema: { type: 'string' } }],
    body: 'CodecPayloads',
    responses: { 200: reply('The payloads, in order', 'CodecPayloads'), 400: errorReply('Unreadable body or not the protocol shape'), ...extra },
  });
}

export function buildOpenApiDocument(options: OpenApiOptions = {}): JsonObject {
  const { serverUrl, codec = false } = options;
  return {
    openapi: '3.1.0',
    info: {
      title: 'LLM document analysis',
      version: '0.1.0',
      description: 'Durable LLM document analysis on Temporal: documents, analysis jobs with provider fallback, operation mode and health.',
    },
    ...(serverUrl && { servers: [{ url: serverUrl }] }),
    security: [{ bearerAuth: [] }],
    tags: ['documents', 'analysis', 'jobs', 'health', 'operation-mode', 'spend', ...(codec ? ['codec'] : []), 'docs'].map((name) => ({ name })),
    paths: paths(options),
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      schemas: componentSchemas(),
      responses: COMMON_RESPONSES,
    },
  };
}

/**
 * Swagger UI needs inline styles and data: images; a strict app-wide CSP (helmet's default) would
 * block them, so these responses carry their own, set after any app-wide one.
 */
const SWAGGER_UI_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'self'",
].join('; ');

const permissiveCsp: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', SWAGGER_UI_CSP);
  next();
};

/** The page's asset links are relative, so `/docs` must become `/docs/`. */
const trailingSlash: RequestHandler = (req, res, next) => {
  if (req.originalUrl.split('?')[0] === req.baseUrl) res.redirect(301, `${req.baseUrl}/`);
  else next();
};

/** `GET /api/openapi.json` and Swagger UI at `/docs`; both public. */
export function openApiRouter(options: OpenApiOptions = {}): Router {
  const document = buildOpenApiDocument(options);
  const router = Router();
  router.get(OPENAPI_JSON_PATH, (_req, res) => {
    res.json(document);
  });
  // serveFiles (not serve) binds this document to this router instead of swagger-ui-express's module state.
  router.use(SWAGGER_UI_PATH, permissiveCsp, trailingSlash, swaggerUi.serveFiles(document), swaggerUi.setup(document));
  return router;
}

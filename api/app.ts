import type { Tracer } from '@opentelemetry/api';
import express from 'express';
import helmet from 'helmet';
import type { Client } from '@temporalio/client';
import type { AnalysisCache } from '../shared/adapters/analysis-cache';
import type { AppConfig } from '../shared/config';
import type { DocumentStore } from '../shared/adapters/documents/document-store';
import { createLogger, type Logger } from '../shared/adapters/logging/logger';
import { OperationModeClient } from '../shared/adapters/operation-mode-client';
import type { GateStore } from '../shared/adapters/gate-store';
import { API_TEMPORAL_TIMEOUT_MS, TEMPORAL_RETRY_AFTER_SECONDS } from '../shared/adapters/temporal-client';
import { TemporalGuard } from '../shared/adapters/temporal/temporal-guard';
import { readCachedJob } from './cached-job';
import { createBudgetStore, type BudgetStore } from '../shared/adapters/budget-store';
import { usageRouter } from './routes/usage';
import { Authenticator, principalOf } from './auth';
import { bodyTooLargeAsDocumentLimit } from './body-limit';
import { jsonBody } from './json-body';
import { errorHandler, notFoundHandler } from './errors';
import { httpServerSpans } from './http-tracing';
import { createApiObservability } from './observability';
import { BatchService } from './batches';
import { JobService } from './jobs';
import { methodNotAllowed } from './method-not-allowed';
import { buildOpenApiDocument, openApiRouter } from './openapi';
import { createRateLimiter } from './rate-limit';
import { analysisRouter, analyzeHandler } from './routes/analysis';
import { batchRouter } from './routes/batches';
import { codecRoutes } from './routes/codec-routes';
import { documentsRouter } from './routes/documents';
import { healthRouter, probesRouter } from './routes/health';
import { operationModeRouter } from './routes/operation-mode';

export interface ApiDeps {
  config: AppConfig;
  client: Client;
  documents: DocumentStore;
  cache: AnalysisCache;
  gates?: GateStore;
  /** Budget ledgers; default: Redis when REDIS_URL is set, else this process's own (closed by close()). */
  budgets?: BudgetStore;
  log?: (message: string) => void;
  /** Set when tracing is on: a server span per request. */
  tracer?: Tracer;
  /** Request logs; default: none. */
  logger?: Logger;
}

export interface Api {
  app: express.Express;
  /** Releases what the app holds besides its deps (the rate limiter's Redis connection). */
  close(): Promise<void>;
}

/** Room for the JSON envelope around a document of DOCUMENT_MAX_BYTES. */
const BODY_ENVELOPE_BYTES = 64 * 1024;

export function createApi({ config, client, documents, cache, gates, budgets: givenBudgets, log = console.error, logger, tracer }: ApiDeps): Api {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const auth = new Authenticator(config.security, config.spend.clientBudgets);
  const codec = codecRoutes({ config, auth, log });
  // Before tracing and request logs: the UI's codec path carries its token.
  if (codec.forUi) app.use(codec.forUi.path, codec.forUi.router);
  if (tracer) app.use(httpServerSpans(tracer));

  const jobs = new JobService(client, config);
  const temporal = new TemporalGuard(client.connection, {
    address: config.temporal.address,
    timeoutMs: API_TEMPORAL_TIMEOUT_MS,
    retryAfterSeconds: TEMPORAL_RETRY_AFTER_SECONDS,
    probe: () => client.workflowService.getSystemInfo({}),
  });
  // Every analyze request needs the mode, which changes rarely: a read is kept until the mode workflow's
  // next event (the process follows its history), or for a second while that watch is not in step.
  const modes = new OperationModeClient(client, config, 1_000, { watch: true });
  const observability = createApiObservability({ config, cache, modes, gates, log: logger ?? createLogger({ name: 'api', level: 'silent' }) });
  app.use(observability.observeRequests);
  app.use(helmet());
  const limiter = createRateLimiter(config);
  const budgets = givenBudgets ?? createBudgetStore({ redisUrl: config.redisUrl, taskQueue: config.temporal.taskQueue });
  const maxBytes = config.api.documentMaxBytes;
  const retryAfterSeconds = Math.ceil(config.health.intervalMs / 1000);

  // The document describes what this configuration serves: the codec endpoint only with encryption on.
  const documentOptions = { codec: codec.withApiKey !== undefined };

  // Orchestrator probes, Prometheus metrics and the API description: no key, no rate limit.
  app.use('/api/health', probesRouter({ client, modes }));
  const parseJsonBody = [jsonBody({ limit: config.api.documentMaxBytes + BODY_ENVELOPE_BYTES }), bodyTooLargeAsDocumentLimit(maxBytes)];
  const requireClient = [auth.require('client'), limiter.middleware];
  const analysisDeps = { config, budgets, documents, jobs, cache, modes, maxBytes, retryAfterSeconds, temporal, readCachedJob: (jobId: string) => readCachedJob(cache, config, jobId) };
  // A cache hit is answered at nearly a probe's rate, so its route comes first rather than behind
  // routers that never serve it; it gets the same body parsing, key check and rate limit as all of /api.
  app.post('/api/analyze', ...parseJsonBody, ...requireClient, analyzeHandler(analysisDeps));
  app.use(openApiRouter(documentOptions));
  app.use(observability.metricsRouter);
  // Before any key check: a method a path does not serve is 405 for everyone.
  app.use(methodNotAllowed(buildOpenApiDocument(documentOptions).paths as Record<string, Record<string, unknown>>));

  // The Temporal UI calls the codec endpoint from the browser, so it parses its own bodies and does CORS.
  if (codec.withApiKey) app.use('/codec', codec.withApiKey);

  app.use(...parseJsonBody);
  app.use('/api', ...requireClient);
  app.use('/api/documents', documentsRouter({ documents, cache, maxBytes }));
  app.use('/api', batchRouter({ config, budgets, documents, batches: new BatchService(client, config), modes, retryAfterSeconds, temporal }));
  app.use('/api', analysisRouter(analysisDeps));
  app.use('/api/usage', usageRouter({ config, budgets }));
  app.use('/api/health', healthRouter({ config, client, documents, cache, gates, modes }));
  app.use(
    '/api/operation-mode',
    (req, res, next) => (req.method === 'GET' ? next() : auth.require('admin')(req, res, next)),
    operationModeRouter({ modes, actorOf: (res) => principalOf(res)?.id ?? 'unknown', temporal }),
  );
  app.get('/api/feature-flags', async (_req, res) => {
    res.json({ flags: await modes.flags() });
  });

  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return {
    app,
    close: async () => {
      await limiter.close();
      await modes.close();
      if (!givenBudgets) await budgets.close();
    },
  };
}

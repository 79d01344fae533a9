import express from 'express';
import type { Client } from '@temporalio/client';
import type { AnalysisCache } from '../shared/analysis-cache';
import type { AppConfig } from '../shared/config';
import type { DocumentStore } from '../shared/document-store';
import { OperationModeClient } from '../shared/operation-mode-client';
import type { GateStore } from '../shared/resilience/gate-store';
import { errorHandler, notFoundHandler } from './errors';
import { JobService } from './jobs';
import { analysisRouter } from './routes/analysis';
import { documentsRouter } from './routes/documents';
import { healthRouter } from './routes/health';
import { operationModeRouter } from './routes/operation-mode';

export interface ApiDeps {
  config: AppConfig;
  client: Client;
  documents: DocumentStore;
  cache: AnalysisCache;
  gates?: GateStore;
  log?: (message: string) => void;
}

/** Room for the JSON envelope around a document of DOCUMENT_MAX_BYTES. */
const BODY_ENVELOPE_BYTES = 64 * 1024;

export function createApp({ config, client, documents, cache, gates, log = console.error }: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(express.json({ limit: config.api.documentMaxBytes + BODY_ENVELOPE_BYTES }));

  const jobs = new JobService(client, config);
  // Reads are memoized for a second: the mode changes rarely, and every analyze request needs it.
  const modes = new OperationModeClient(client, config, 1_000);
  const maxBytes = config.api.documentMaxBytes;
  app.use('/api/documents', documentsRouter({ documents, cache, maxBytes }));
  const retryAfterSeconds = Math.ceil(config.health.intervalMs / 1000);
  app.use('/api', analysisRouter({ documents, jobs, cache, modes, maxBytes, retryAfterSeconds }));
  app.use('/api/health', healthRouter({ config, client, documents, cache, gates, modes }));
  app.use('/api/operation-mode', operationModeRouter({ modes, actorOf: () => 'admin' }));
  app.get('/api/feature-flags', async (_req, res) => {
    res.json({ flags: await modes.flags() });
  });

  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}

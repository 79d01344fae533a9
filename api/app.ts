import express from 'express';
import type { Client } from '@temporalio/client';
import type { AnalysisCache } from '../shared/analysis-cache';
import type { AppConfig } from '../shared/config';
import type { DocumentStore } from '../shared/document-store';
import type { GateStore } from '../shared/resilience/gate-store';
import { errorHandler, notFoundHandler } from './errors';
import { JobService } from './jobs';
import { analysisRouter } from './routes/analysis';
import { documentsRouter } from './routes/documents';
import { healthRouter } from './routes/health';

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
  const maxBytes = config.api.documentMaxBytes;
  app.use('/api/documents', documentsRouter({ documents, cache, maxBytes }));
  app.use('/api', analysisRouter({ documents, jobs, cache, maxBytes }));
  app.use('/api/health', healthRouter({ config, client, documents, cache, gates }));

  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}

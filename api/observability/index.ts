/**
 * The API's metrics registry (one per app, so several apps in one test process stay apart), the
 * request observer, and `GET /metrics`. /metrics needs no API key, like the health probes: Prometheus
 * scrapes from inside the deployment's network, and the series hold no ids, keys or document data.
 * Publish the API port beyond that network only behind a proxy that keeps /metrics in.
 */
import { Router, type RequestHandler } from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from '../../shared/adapters/logging/logger';
import { observeRequests } from './http-metrics';
import { registerServiceMetrics, type ServiceMetricsDeps } from './service-metrics';

export interface ApiObservability {
  registry: Registry;
  /** First middleware of the app: times and logs every request. */
  observeRequests: RequestHandler;
  metricsRouter: Router;
}

const EVENT_LOOP_SAMPLE_MS = 100;

export function createApiObservability(deps: ServiceMetricsDeps & { log: Logger }): ApiObservability {
  const registry = new Registry();
  // The event-loop lag histogram samples on a timer, every 10 ms by default: about half of an idle API's
  // CPU (10–18 → 6–9 ms a second at 100 ms). Ten samples a second still give a lag percentile per scrape.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  registerServiceMetrics(registry, deps);
  const metricsRouter = Router();
  metricsRouter.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return { registry, observeRequests: observeRequests(registry, deps.log), metricsRouter };
}

/**
 * Per request: a histogram sample labelled by method, route pattern and status, and one log line. The
 * route is the Express pattern (`/api/jobs/:jobId`), never the raw path, so ids never become labels;
 * a request answered before any route matched (401, 429, unknown path) is `unmatched`.
 */
import type { Request, RequestHandler, Response } from 'express';
import { Histogram, type Registry } from 'prom-client';
import type { Logger } from '../../shared/adapters/logging/logger';
import { principalOf } from '../auth';

export const UNMATCHED_ROUTE = 'unmatched';
/** Scraped and probed every few seconds: logged only at debug. */
const QUIET_ROUTES = new Set(['/metrics', '/api/health/live', '/api/health/ready']);

/**
 * Express sets `req.route` when a route matches, but by the time an error handler answers it has
 * restored `req.baseUrl` to the app's, so the full pattern is captured at the moment of the match.
 */
function captureRoutePattern(req: Request): () => string {
  let pattern: string | undefined;
  let route: unknown;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: { path?: unknown } | undefined) => {
      route = value;
      if (value?.path !== undefined) pattern = `${req.baseUrl}${String(value.path)}`.replace(/(.)\/$/, '$1');
    },
  });
  return () => pattern ?? UNMATCHED_ROUTE;
}

export function observeRequests(registry: Registry, log: Logger): RequestHandler {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const routeOf = captureRoutePattern(req);
    const path = req.path;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf();
      duration.observe({ method: req.method, route, status_code: String(res.statusCode) }, seconds);
      const aborted = !res.writableFinished;
      log[QUIET_ROUTES.has(route) ? 'debug' : 'info'](requestLogFields(req, res, route, path, seconds, aborted), `${req.method} ${route} ${res.statusCode}`);
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };
}

/** No headers, no query string, no body: nothing a client sent that could carry a credential. */
function requestLogFields(req: Request, res: Response, route: string, path: string, seconds: number, aborted: boolean) {
  const jobId = typeof req.params?.jobId === 'string' ? req.params.jobId : undefined;
  return {
    method: req.method,
    route,
    path,
    status: res.statusCode,
    durationMs: Math.round(seconds * 1000 * 10) / 10,
    ...(jobId && { jobId }),
    ...(principalOf(res) && { client: principalOf(res)!.id }),
    ...(aborted && { aborted: true }),
  };
}

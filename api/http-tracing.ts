/**
 * A SERVER span per API request, continuing a caller's W3C trace context. The handlers run inside it,
 * so the Temporal client's start span (and through its header the workflow) joins the same trace.
 * Only method, route template, path and status are recorded: never bodies or query strings.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { RequestHandler } from 'express';

export function httpServerSpans(tracer: Tracer): RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(
      req.method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path } },
      parent,
    );
    res.once('close', () => {
      // Known only once a route has matched, e.g. "/api/jobs/:jobId".
      if (req.route) {
        const route = `${req.baseUrl}${String(req.route.path)}`;
        span.setAttribute('http.route', route);
        span.updateName(`${req.method} ${route}`);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

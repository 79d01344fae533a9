/**
 * OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set: then one trace runs from the
 * API's HTTP request through the Temporal client (start span + trace header), the workflow (spans made
 * in the sandbox, handed out through a sink), its activities, to the provider's HTTP request (undici,
 * i.e. the fetch both provider SDKs use). Off, nothing here is loaded into the clients or workers.
 */
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { ClientInterceptors } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import type { AppConfig } from '../config';

/** The workflow-side interceptors: a worker that bundles itself adds them; a prebuilt bundle must include them. */
export const WORKFLOW_TRACING_INTERCEPTORS = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export interface Tracing {
  tracer: Tracer;
  /** For a Temporal Client: a span per start/signal/update/query, the context passed in a header. */
  clientInterceptors: ClientInterceptors;
  /** Laid over every Worker's options. */
  workerOptions: { interceptors: WorkerInterceptors; sinks: InjectedSinks<OpenTelemetrySinks> };
  /** Flushes what is buffered and unregisters everything, so the process is as if tracing never ran. */
  shutdown(): Promise<void>;
}

export const TRACER_NAME = 'llm-analysis';

/** Registers a global tracer provider exporting through `spanProcessor`. One per process. */
export function startTracing({ serviceName, spanProcessor }: { serviceName: string; spanProcessor: SpanProcessor }): Tracing {
  const resource = new Resource({ 'service.name': serviceName });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  // Only requests made inside a traced operation (a provider call in an activity), not every fetch.
  const unregisterInstrumentations = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new UndiciInstrumentation({ requireParentforSpans: true })],
  });
  const clientInterceptor = new OpenTelemetryWorkflowClientInterceptor();
  return {
    tracer: trace.getTracer(TRACER_NAME),
    clientInterceptors: { workflow: [clientInterceptor] },
    workerOptions: {
      // The workflow side (WORKFLOW_TRACING_INTERCEPTORS) goes into the workflow bundle: see bundleWorkflows.
      interceptors: {
        activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
      },
      sinks: { exporter: makeWorkflowExporter(spanProcessor, resource) },
    },
    shutdown: async () => {
      unregisterInstrumentations();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** OTLP over HTTP/protobuf to `<endpoint>/v1/traces`, or undefined (tracing off) without an endpoint. */
export function tracingFromConfig(config: AppConfig, serviceName: string): Tracing | undefined {
  const endpoint = config.tracing.otlpEndpoint;
  if (!endpoint) return undefined;
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
  return startTracing({ serviceName, spanProcessor: new BatchSpanProcessor(exporter) });
}

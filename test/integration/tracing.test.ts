import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { createApi } from '../../api/app';
import { AnalysisCache } from '../../shared/adapters/analysis-cache';
import { loadConfig, type AppConfig } from '../../shared/config';
import { dataConverterFor, ENCRYPTING_FAILURE_CONVERTER_PATH } from '../../shared/adapters/data-converter';
import { ensureDeployment } from '../../shared/adapters/deployment-bootstrap';
import { createGateStore } from '../../shared/adapters/gate-store';
import { startTracing, WORKFLOW_TRACING_INTERCEPTORS, type Tracing } from '../../shared/adapters/tracing';
import { createWorkerSet, type WorkerSet } from '../../workers/create-worker';
import { DEFAULT_ANALYSIS, startProviderEmulator, type ProviderEmulator } from '../emulator/provider-emulator';
import { request, waitFor } from '../helpers/http';
import { providerEnv } from '../helpers/provider-workers';
import { getTestStack, type TestStack } from '../helpers/stack';

const DOCUMENT_TEXT = 'Confidential: Zephyrine Holdings plans to acquire Quillfeather Labs before the spring audit.';
// A caller's trace context: the API's server span must continue it.
const CALLER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';

describe('tracing: one trace from the API request to the provider HTTP call', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let emulator: ProviderEmulator;
  let tracing: Tracing;
  const exporter = new InMemorySpanExporter();
  let config: AppConfig;
  let workers: WorkerSet;
  let running: Promise<void>;
  let server: Server;
  let apiUrl: string;
  const closers: (() => Promise<void>)[] = [];

  before(async function () {
    this.timeout(300_000);
    stack = await getTestStack();
    emulator = await startProviderEmulator();
    tracing = startTracing({ serviceName: 'tracing-test', spanProcessor: new SimpleSpanProcessor(exporter) });
    // The test stack encrypts payloads: the trace header must survive the codec.
    config = loadConfig({ ...stack.env, ...providerEnv(emulator, { LLM_PROVIDERS: 'anthropic,local' }) });
    assert.ok(config.security.payloadEncryptionKeys);

    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      workflowInterceptorModules: [WORKFLOW_TRACING_INTERCEPTORS],
      failureConverterPath: ENCRYPTING_FAILURE_CONVERTER_PATH,
      logger: new DefaultLogger('WARN'),
    });
    const gates = createGateStore({});
    const workerCache = AnalysisCache.fromConfig(config, () => {});
    workers = await createWorkerSet({ config, connection: stack.nativeConnection, documents: stack.documents, gates, cache: workerCache, workflowBundle, tracing });
    running = workers.run();
    closers.push(async () => {
      workers.shutdown();
      await running;
      await gates.close();
      await workerCache.close();
    });

    const client = new Client({
      connection: stack.client.connection,
      namespace: config.temporal.namespace,
      dataConverter: dataConverterFor(config),
      interceptors: tracing.clientInterceptors,
    });
    await ensureDeployment(client, config, { healthSchedule: false });
    const apiCache = AnalysisCache.fromConfig(config, () => {});
    const api = createApi({ config, client, documents: stack.documents, cache: apiCache, log: () => {}, tracer: tracing.tracer });
    server = await new Promise((resolve) => {
      const listening = api.app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closers.unshift(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await api.close();
      await apiCache.close();
    });
  });

  after(async () => {
    for (const close of closers) await close();
    await tracing?.shutdown();
    await emulator?.close();
  });

  it('links API → workflow start → workflow → activity → provider HTTP request, with no document text in any span', async () => {
    // One overloaded answer first: the retried activity is traced too.
    emulator.provider('anthropic').enqueue({ kind: 'status', status: 529 });
    const created = await request(apiUrl, 'POST', '/api/documents', { json: { content: DOCUMENT_TEXT } });
    assert.equal(created.status, 201);
    const started = await request(apiUrl, 'POST', '/api/analyze', {
      json: { documentId: created.body.id },
      headers: { traceparent: `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01` },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const job = await waitFor(
      () => request(apiUrl, 'GET', `/api/jobs/${started.body.jobId}`),
      (response) => ['completed', 'failed', 'cancelled'].includes(response.body.status),
      60_000,
    );
    assert.equal(job.body.status, 'completed', JSON.stringify(job.body));
    assert.equal(job.body.result.meta.provider, 'anthropic');

    // Workflow spans arrive through the sink after the run's last activation.
    const spansOfTrace = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === CALLER_TRACE_ID);
    await waitFor(
      async () => spansOfTrace().map((span) => span.name),
      (names) => names.includes('RunWorkflow:analyzeDocument'),
      10_000,
    );
    const spans = spansOfTrace();
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const ancestry = (span: ReadableSpan): ReadableSpan[] => {
      const chain = [span];
      for (let parent = byId.get(span.parentSpanId ?? ''); parent; parent = byId.get(parent.parentSpanId ?? '')) chain.unshift(parent);
      return chain;
    };

    const providerRequests = spans.filter(
      (span) => span.instrumentationLibrary.name === '@opentelemetry/instrumentation-undici' && String(span.attributes['url.full']).startsWith(emulator.anthropicBaseUrl),
    );
    assert.equal(providerRequests.length, 2, 'one HTTP span per attempt (529, then 200)');
    assert.deepEqual(
      providerRequests.map((span) => span.attributes['http.response.status_code']).sort(),
      [200, 529],
    );
    for (const providerRequest of providerRequests) {
      const chain = ancestry(providerRequest);
      const root = chain[0]!;
      assert.equal(root.name, 'POST /api/analyze');
      assert.equal(root.kind, SpanKind.SERVER);
      assert.equal(root.parentSpanId, CALLER_SPAN_ID, 'the server span continues the caller’s trace');
      const names = chain.map((span) => span.name);
      const expectedOrder = [
        'POST /api/analyze',
        'StartWorkflow:analyzeDocument',
        'RunWorkflow:analyzeDocument',
        'StartActivity:callProvider',
        'RunActivity:callProvider',
        'anthropic.messages.create', // the Anthropic SDK's own span; the OpenAI SDK has none
      ];
      assert.deepEqual(names.filter((name) => expectedOrder.includes(name)), expectedOrder, names.join(' → '));
      assert.equal(chain.at(-1), providerRequest);
      assert.equal(providerRequest.kind, SpanKind.CLIENT);
    }
    // One tree: every span of the trace (queries, local activities too) hangs under the API request.
    for (const span of spans) assert.equal(ancestry(span)[0]!.name, 'POST /api/analyze', `${span.name} is detached`);

    const recorded = JSON.stringify(spans.map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status })));
    for (const secret of ['Zephyrine', 'Quillfeather', DEFAULT_ANALYSIS.summary, config.providers.anthropic.apiKey!]) {
      assert.ok(!recorded.includes(secret), `a span carries "${secret}"`);
    }
  });
});

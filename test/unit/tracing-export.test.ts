import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { ConfigError, loadConfig } from '../../shared/config';
import { tracingFromConfig } from '../../shared/adapters/tracing';
import { workerDeploymentOptionsOf } from '../../workers/deployment-version';

describe('tracing and rollout settings', () => {
  it('leaves tracing off without OTEL_EXPORTER_OTLP_ENDPOINT: no provider, no interceptors', () => {
    assert.equal(tracingFromConfig(loadConfig({}), 'test'), undefined);
  });

  it('exports spans as OTLP HTTP/protobuf to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces, and unregisters on shutdown', async () => {
    const received: { path?: string; contentType?: string; bytes: number }[] = [];
    const collector = http.createServer((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => {
        received.push({ path: req.url, contentType: req.headers['content-type'], bytes });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/`;
      const tracing = tracingFromConfig(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }), 'export-test')!;
      tracing.tracer.startSpan('one operation').end();
      await tracing.shutdown();
      assert.equal(received.length, 1);
      assert.equal(received[0]!.path, '/v1/traces');
      assert.equal(received[0]!.contentType, 'application/x-protobuf');
      assert.ok(received[0]!.bytes > 0);
      // Off again: spans started now go nowhere.
      assert.equal(trace.getTracer('after').startSpan('ignored').isRecording(), false);
    } finally {
      collector.close();
    }
  });

  it('versions workers only with both WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID, runs pinned by default', () => {
    assert.equal(workerDeploymentOptionsOf(loadConfig({})), undefined);
    assert.deepEqual(workerDeploymentOptionsOf(loadConfig({ WORKER_DEPLOYMENT_NAME: 'llm-analysis', WORKER_BUILD_ID: '2026-11-30.1' })), {
      version: { deploymentName: 'llm-analysis', buildId: '2026-11-30.1' },
      useWorkerVersioning: true,
      defaultVersioningBehavior: 'PINNED',
    });
    assert.throws(() => loadConfig({ WORKER_BUILD_ID: 'b1' }), (error: unknown) => error instanceof ConfigError && /WORKER_DEPLOYMENT_NAME/.test(error.message));
    assert.throws(() => loadConfig({ WORKER_DEPLOYMENT_NAME: 'd' }), (error: unknown) => error instanceof ConfigError && /WORKER_BUILD_ID/.test(error.message));
  });
});

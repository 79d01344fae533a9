import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startProviderEmulator, type ProviderEmulator } from '../emulator/provider-emulator';
import { request, waitFor } from '../helpers/http';
import { freePort } from '../helpers/ports';
import { scrape, select, total, type Sample } from '../helpers/prometheus';
import { spawnEntry, spawnWorker, type Spawned } from '../helpers/processes';
import { providerEnv } from '../helpers/provider-workers';
import { startRedis, type RunningRedis } from '../helpers/redis';
import { getTestStack } from '../helpers/stack';
import { WORKER_SERIES } from '../helpers/worker-series';

/** JSON log lines of a process's output; a line that is not JSON fails the test. */
function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

describe('metrics and structured logs of real worker and API processes', function () {
  this.timeout(180_000);
  const apiKey = `client-${randomBytes(12).toString('hex')}`;
  const wrongKey = `wrong-${randomBytes(12).toString('hex')}`;
  let emulator: ProviderEmulator;
  let redis: RunningRedis;
  let worker: Spawned;
  let api: Spawned;
  let env: NodeJS.ProcessEnv;
  let apiUrl: string;
  let workerMetricsUrl: string;
  let jobId: string;
  let documentId: string;
  let apiSamples: Sample[];
  let workerSamples: Sample[];
  let tokens: { input: number; output: number };

  before(async function () {
    this.timeout(300_000);
    const stack = await getTestStack();
    emulator = await startProviderEmulator();
    redis = await startRedis();
    const [apiPort, metricsPort] = [await freePort(), await freePort()];
    env = {
      ...stack.env,
      ...providerEnv(emulator, { LLM_PROVIDERS: 'openai,local' }),
      REDIS_URL: redis.url,
      API_KEYS: apiKey,
      PORT: String(apiPort),
      WORKER_METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'info',
      CACHE_DISK_ENABLED: 'false',
    };
    apiUrl = `http://127.0.0.1:${apiPort}`;
    workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    worker = await spawnWorker(env);
    api = spawnEntry('api/main.ts', env);
    await waitFor(async () => api.output(), (output) => output.includes('listening'), 60_000);

    // One failed attempt (500), then an answer: the job shows up in failure and success series alike.
    emulator.provider('openai').enqueue({ kind: 'status', status: 500 });
    const auth = { authorization: `Bearer ${apiKey}` };
    const created = await request(apiUrl, 'POST', '/api/documents', { headers: auth, json: { content: 'Acme opened an office in Lisbon. The team is growing fast.' } });
    assert.equal(created.status, 201);
    documentId = created.body.id;
    const started = await request(apiUrl, 'POST', '/api/analyze', { headers: auth, json: { documentId } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    jobId = started.body.jobId;
    const done = await waitFor(
      () => request(apiUrl, 'GET', `/api/jobs/${jobId}?wait=5`, { headers: auth }),
      (response) => response.body.status === 'completed',
      90_000,
    );
    tokens = done.body.tokens;
    const again = await request(apiUrl, 'POST', '/api/analyze', { headers: auth, json: { documentId } });
    assert.equal(again.status, 200, 'the second request is a cache hit');
    assert.equal((await request(apiUrl, 'GET', '/api/jobs', { headers: { authorization: `Bearer ${wrongKey}` } })).status, 401);
    // A job started by another client: it reads the cache in the worker (a miss), then fails (its
    // document does not exist), so the worker's cache and failure series exist too.
    const missingJobId = `observability-missing-${randomBytes(6).toString('hex')}`;
    await assert.rejects(
      stack.client.workflow.execute('analyzeDocument', {
        taskQueue: String(env.TEMPORAL_TASK_QUEUE),
        workflowId: missingJobId,
        args: [{ documentId: 'doc_missing', analysisType: 'full', cacheKey: missingJobId }],
      }),
    );

    apiSamples = await scrape(`${apiUrl}/metrics`);
    // The worker reports the job's end once its workflow task completes, a moment after the API sees it.
    workerSamples = await waitFor(
      () => scrape(workerMetricsUrl),
      (samples) =>
        total(samples, 'temporal_workflow_completed_total', { workflow_type: 'analyzeDocument' }) >= 1 &&
        total(samples, 'temporal_workflow_failed_total', { workflow_type: 'analyzeDocument' }) >= 1 &&
        // Cache and circuit series are refreshed every few seconds.
        total(samples, 'llm_analysis_cache_lookups_total', { result: 'miss' }) >= 1,
    );
  });

  after(async () => {
    await api?.stop();
    await worker?.stop();
    await emulator?.close();
    await redis?.stop();
  });

  describe('API /metrics', () => {
    it('needs no API key even when API_KEYS is set', async () => {
      const response = await fetch(`${apiUrl}/metrics`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    });

    it('times requests by method, route pattern and status code', () => {
      const count = (method: string, route: string, status: number) =>
        total(apiSamples, 'http_request_duration_seconds_count', { method, route, status_code: String(status) });
      assert.equal(count('POST', '/api/documents', 201), 1);
      assert.equal(count('POST', '/api/analyze', 202), 1);
      assert.equal(count('POST', '/api/analyze', 200), 1);
      assert.ok(count('GET', '/api/jobs/:jobId', 200) >= 1);
      assert.equal(count('GET', 'unmatched', 401), 1, 'a request refused before routing');
      const sum = total(apiSamples, 'http_request_duration_seconds_sum', { route: '/api/documents' });
      assert.ok(sum > 0 && sum < 10, `request duration in seconds: ${sum}`);
    });

    it('never uses a job or document id as a label value', () => {
      for (const sample of [...apiSamples, ...workerSamples]) {
        for (const value of Object.values(sample.labels)) {
          assert.ok(!value.includes(jobId) && !value.includes(documentId), `${sample.name} has an id in a label: ${value}`);
        }
      }
    });

    it('counts cache lookups overall and per tier', () => {
      assert.equal(total(apiSamples, 'llm_analysis_cache_lookups_total', { result: 'hit' }), 1);
      // A miss may look up two keys (the advanced and the light answer), depending on the mode.
      const misses = total(apiSamples, 'llm_analysis_cache_lookups_total', { result: 'miss' });
      assert.ok(misses >= 1 && misses <= 2, `misses: ${misses}`);
      assert.equal(total(apiSamples, 'llm_analysis_cache_tier_lookups_total', { tier: 'memory', result: 'miss' }), misses + 1);
      assert.equal(total(apiSamples, 'llm_analysis_cache_tier_lookups_total', { tier: 'redis', result: 'hit' }), 1, 'the worker stored the answer in Redis');
    });

    it('shows the shared circuit state of each remote provider and the operation mode', () => {
      assert.equal(total(apiSamples, 'llm_analysis_provider_circuit_state', { provider: 'openai', state: 'closed' }), 1);
      assert.equal(total(apiSamples, 'llm_analysis_provider_circuit_state', { provider: 'openai', state: 'open' }), 0);
      assert.equal(total(apiSamples, 'llm_analysis_operation_mode', { mode: 'NORMAL' }), 1);
      assert.equal(total(apiSamples, 'llm_analysis_operation_mode'), 1, 'exactly one mode is current');
    });

    it('includes the process metrics', () => {
      assert.ok(total(apiSamples, 'process_resident_memory_bytes') > 10_000_000);
    });
  });

  describe('worker metrics endpoint', () => {
    it('serves the SDK metrics of the job, durations in seconds', () => {
      assert.ok(total(workerSamples, 'temporal_workflow_completed_total', { workflow_type: 'analyzeDocument' }) >= 1);
      assert.equal(total(workerSamples, 'temporal_workflow_failed_total', { workflow_type: 'analyzeDocument' }), 1);
      const latency = select(workerSamples, 'temporal_workflow_endtoend_latency_seconds_sum', { workflow_type: 'analyzeDocument' })[0]?.value ?? 0;
      assert.ok(latency > 0 && latency < 60, `job latency in seconds: ${latency}`);
      assert.ok(total(workerSamples, 'temporal_activity_execution_failed_total', { activity_type: 'callProvider' }) >= 1);
    });

    it('counts provider attempts by outcome, request durations and tokens per provider and model', () => {
      const labels = { provider: 'openai', model: 'gpt-4o' };
      assert.equal(total(workerSamples, 'llm_analysis_provider_attempts_total', { ...labels, outcome: 'ServerError' }), 1);
      assert.equal(total(workerSamples, 'llm_analysis_provider_attempts_total', { ...labels, outcome: 'success' }), 1);
      assert.equal(total(workerSamples, 'llm_analysis_provider_request_duration_seconds_count', labels), 2);
      const seconds = total(workerSamples, 'llm_analysis_provider_request_duration_seconds_sum', labels);
      assert.ok(seconds > 0 && seconds < 10, `provider request seconds: ${seconds}`);
      assert.ok(tokens.input > 0);
      assert.equal(total(workerSamples, 'llm_analysis_provider_tokens_total', { ...labels, token_type: 'input' }), tokens.input);
      assert.equal(total(workerSamples, 'llm_analysis_provider_tokens_total', { ...labels, token_type: 'output' }), tokens.output);
    });

    it('shows the worker’s cache lookups and the circuit state it sees', () => {
      assert.equal(total(workerSamples, 'llm_analysis_cache_lookups_total', { result: 'miss' }), 1, 'the job started by another client looked up the cache');
      assert.equal(total(workerSamples, 'llm_analysis_cache_lookups_total', { result: 'hit' }), 0);
      assert.ok(total(workerSamples, 'llm_analysis_cache_tier_lookups_total', { tier: 'redis', result: 'miss' }) >= 1);
      assert.equal(total(workerSamples, 'llm_analysis_provider_circuit_state', { provider: 'openai', state: 'closed' }), 1);
      assert.equal(total(workerSamples, 'llm_analysis_provider_circuit_state', { provider: 'openai' }), 1);
    });

    it('exports every series the dashboards read from workers (test/helpers/worker-series.ts)', () => {
      const names = new Set(workerSamples.map((sample) => sample.name));
      assert.deepEqual(WORKER_SERIES.filter((name) => !names.has(name)), []);
    });
  });

  describe('logs', () => {
    it('are JSON lines in both processes', () => {
      for (const output of [worker.output(), api.output()]) assert.ok(logLines(output).length > 0);
    });

    it('carry jobId, workflowId, runId, activity type and attempt on activity lines', () => {
      const lines = logLines(worker.output()).filter((line) => line.activityType === 'callProvider' && line.jobId === jobId);
      const failed = lines.find((line) => line.attempt === 1 && line.level === 'warn');
      const answered = lines.find((line) => line.attempt === 2 && String(line.msg).includes('provider answered'));
      for (const line of [failed, answered]) {
        assert.ok(line, `no callProvider line for ${jobId} in:\n${worker.output()}`);
        assert.equal(line.workflowId, jobId);
        assert.match(String(line.runId), /^[0-9a-f-]{36}$/);
      }
    });

    it('log each API request with route, status and duration', () => {
      const line = logLines(api.output()).find((entry) => entry.route === '/api/jobs/:jobId' && entry.status === 200);
      assert.ok(line, api.output());
      assert.equal(line.jobId, jobId);
      assert.equal(typeof line.durationMs, 'number');
    });

    it('leave webpack statistics out at info', () => {
      assert.doesNotMatch(worker.output(), /workflow-bundle-[0-9a-f]+\.js|cacheable modules/);
    });

    it('never contain an API key, provider key or payload encryption key', () => {
      const payloadKey = String(env.PAYLOAD_ENCRYPTION_KEYS).split(':')[1]!;
      for (const output of [worker.output(), api.output()]) {
        for (const secret of [apiKey, wrongKey, payloadKey, String(env.OPENAI_API_KEY)]) assert.ok(!output.includes(secret), 'a secret is in the log output');
      }
    });
  });
});

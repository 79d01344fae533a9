/**
 * `npm run record-histories [-- TAG]`: runs every workflow type against a fresh dev server (real
 * worker, real SDKs against the provider emulator) and writes each run's history to
 * test/fixtures/histories/<case>.<TAG>.json, the form the replay test reads. TAG defaults to the
 * short commit hash, so a later recording adds files next to earlier ones instead of replacing them.
 * `RECORD_CASES=<case>,<case>` records only those.
 *
 * Payload encryption is off: the replay test decodes payloads with the default converter, and the
 * fixtures hold only the emulator's canned text.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { AnalysisCache } from '../shared/adapters/analysis-cache';
import { loadConfig, type AppConfig } from '../shared/config';
import { ensureDeployment } from '../shared/adapters/deployment-bootstrap';
import { startDevServer } from './temporal/dev-server';
import type { DocumentStore } from '../shared/adapters/documents/document-store';
import { openDocumentStore } from '../shared/adapters/documents/open-document-store';
import { JOB_WORKFLOW_REVISION, type AnalyzeBatchInput, type AnalyzeDeferredBatchInput, type AnalyzeDeferredDocumentInput, type AnalyzeDocumentInput } from '../shared/core/job-types';
import {
  clearOverrideUpdate,
  HEALTH_CHECK_WORKFLOW_TYPE,
  HEALTH_LOOP_WORKFLOW_TYPE,
  OPERATION_MODE_WORKFLOW_TYPE,
  setHealthCheckIntervalSignal,
  reportHealthUpdate,
  setOverrideUpdate,
  type OperationModeWorkflowInput,
} from '../shared/core/operation-mode/messages';
import { planProviderChain } from '../shared/core/providers/plan';
import { buildAnalysisPrompt } from '../shared/core/providers/prompt';
import { promptTokensUpperBound } from '../shared/core/spend/budget';
import { createGateStore } from '../shared/adapters/gate-store';
import { resolveTemporalCli } from './temporal/temporal-cli';
import { WORKFLOW_TYPES } from '../shared/core/names';
import { createWorkerSet } from '../workers/create-worker';
import { startProviderEmulator, type ProviderEmulator } from '../test/emulator/provider-emulator';
import { freePort } from '../test/helpers/ports';

const OUTPUT_DIR = path.resolve(__dirname, '../test/fixtures/histories');
const ARTICLE = 'Acme Corporation opens a regional office in Lisbon next spring and plans to hire forty engineers.';

interface Recorder {
  client: Client;
  documents: DocumentStore;
  emulator: ProviderEmulator;
  /** Task queue of the workers that only use the local analyzer. */
  localQueue: AppConfig;
  /** Task queue of the workers that try anthropic (the emulator) first, then local. */
  anthropicQueue: AppConfig;
}

function recordingTag(): string {
  const explicit = process.argv[2];
  if (explicit) return explicit;
  return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, encoding: 'utf8' }).trim();
}

/** How the run must have ended for its history to record the case it is named after. */
function expectedStatus(caseName: string): string {
  if (caseName.startsWith('operation-mode') || caseName.startsWith('health-loop')) return 'CONTINUED_AS_NEW';
  if (caseName.endsWith('-failed')) return 'FAILED';
  if (caseName.endsWith('-cancelled')) return 'CANCELLED';
  return 'COMPLETED';
}

async function closedStatus(handle: WorkflowHandle): Promise<string> {
  await handle.result().catch(() => undefined);
  return (await handle.describe()).status.name;
}

function startAnalysis(recorder: Recorder, queue: AppConfig, input: AnalyzeDocumentInput) {
  return recorder.client.workflow.start(WORKFLOW_TYPES.analyzeDocument, {
    workflowId: `record-${randomUUID()}`,
    taskQueue: queue.temporal.taskQueue,
    // As the API and the batch workflows start a job.
    args: [{ ...input, revision: JOB_WORKFLOW_REVISION }],
  });
}

async function startLocalFirst(recorder: Recorder, content: string, firstAttemptLocal: true | 'when-fast' = true) {
  const document = await recorder.documents.create({ content });
  const queue = recorder.anthropicQueue;
  // As the API plans it with ANTHROPIC_RATE_LIMIT=0 and ANTHROPIC_LOCAL_FIRST_ATTEMPT=true (or auto).
  const plan = planProviderChain(queue).map((step) => (step.provider === 'anthropic' ? { ...step, taskQueue: queue.temporal.taskQueue, firstAttemptLocal } : step));
  return startAnalysis(recorder, queue, { documentId: document.id, analysisType: 'full', cacheKey: `record-${randomUUID()}`, cacheChecked: true, plan });
}

/** Jobs whose calls are activities, so the anthropic worker's recent calls (LOCAL_FIRST_ATTEMPT=auto) are these. */
async function callAnthropic(recorder: Recorder, jobs: number, fault?: { kind: 'ok'; delayMs: number }) {
  if (fault) recorder.emulator.provider('anthropic').enqueue(fault);
  const document = await recorder.documents.create({ content: `${ARTICLE} Warming up.` });
  const plan = planProviderChain(recorder.anthropicQueue);
  return Promise.all(Array.from({ length: jobs }, () => startAnalysis(recorder, recorder.anthropicQueue, { documentId: document.id, analysisType: 'full', plan })));
}

const RECORDING_SCHEDULE = { pollIntervalMs: 300, maxWaitMs: 60_000 };

async function startDeferred(recorder: Recorder, content: string) {
  const document = await recorder.documents.create({ content });
  const input: AnalyzeDeferredDocumentInput = {
    documentId: document.id,
    analysisType: 'full',
    cacheKey: `record-${randomUUID()}`,
    cacheChecked: true,
    plan: planProviderChain(recorder.anthropicQueue),
    schedule: RECORDING_SCHEDULE,
    revision: JOB_WORKFLOW_REVISION,
  };
  return recorder.client.workflow.start(WORKFLOW_TYPES.analyzeDeferredDocument, {
    workflowId: `record-deferred-${randomUUID()}`,
    taskQueue: recorder.anthropicQueue.temporal.taskQueue,
    args: [input],
  });
}

async function waitForStartedActivity(handle: WorkflowHandle): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const { raw } = await handle.describe();
    if (raw.pendingActivities?.some((activity) => activity.lastStartedTime)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the provider activity never started');
}

/** Each case runs one workflow to its end (or, for the entity workflow, through its messages). */
const CASES: Record<string, (recorder: Recorder) => Promise<WorkflowHandle>> = {
  'analyze-document-local-completed': async (recorder) => {
    const document = await recorder.documents.create({ content: ARTICLE });
    return startAnalysis(recorder, recorder.localQueue, { documentId: document.id, analysisType: 'full', cacheKey: `record-${randomUUID()}` });
  },
  'analyze-document-anthropic-retry-completed': async (recorder) => {
    recorder.emulator.provider('anthropic').enqueue({ kind: 'status', status: 529 });
    const document = await recorder.documents.create({ content: ARTICLE });
    return startAnalysis(recorder, recorder.anthropicQueue, { documentId: document.id, analysisType: 'full', options: { tier: 'light' } });
  },
  // As the API starts a job: the chain planned in the input, the cache already read; a retry announced by the activity.
  'analyze-document-api-started-retry-completed': async (recorder) => {
    recorder.emulator.provider('anthropic').enqueue({ kind: 'status', status: 429 });
    const document = await recorder.documents.create({ content: `${ARTICLE} Through the API.` });
    return startAnalysis(recorder, recorder.anthropicQueue, {
      documentId: document.id,
      analysisType: 'full',
      cacheKey: `record-${randomUUID()}`,
      cacheChecked: true,
      plan: planProviderChain(recorder.anthropicQueue),
    });
  },
  // <PROVIDER>_LOCAL_FIRST_ATTEMPT: the first attempt a local activity; then one that fails and is retried as an activity.
  'analyze-document-local-first-completed': async (recorder) => startLocalFirst(recorder, `${ARTICLE} Local first.`),
  'analyze-document-local-first-retry-completed': async (recorder) => {
    recorder.emulator.provider('anthropic').enqueue({ kind: 'status', status: 529 });
    return startLocalFirst(recorder, `${ARTICLE} Local first, then retried.`);
  },
  // ANTHROPIC_LOCAL_FIRST_ATTEMPT=auto: on a worker whose recent calls were short the local activity
  // calls; while a call has run past the limit it defers and the activity makes every attempt.
  'analyze-document-auto-local-completed': async (recorder) => {
    for (const warmup of await callAnthropic(recorder, 5)) await warmup.result();
    return startLocalFirst(recorder, `${ARTICLE} Auto, in the task.`, 'when-fast');
  },
  'analyze-document-auto-deferred-completed': async (recorder) => {
    const before = recorder.emulator.provider('anthropic').requests;
    const [slow] = await callAnthropic(recorder, 1, { kind: 'ok', delayMs: 2_000 });
    await recorder.emulator.provider('anthropic').waitForRequests(before + 1, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const handle = await startLocalFirst(recorder, `${ARTICLE} Auto, deferred.`, 'when-fast');
    await slow!.result();
    return handle;
  },
  'analyze-document-failed': async (recorder) =>
    startAnalysis(recorder, recorder.localQueue, { documentId: 'doc_00000000000000000000000000000000', analysisType: 'full' }),
  'analyze-document-cancelled': async (recorder) => {
    recorder.emulator.provider('anthropic').enqueue({ kind: 'hang' });
    const document = await recorder.documents.create({ content: ARTICLE });
    const handle = await startAnalysis(recorder, recorder.anthropicQueue, { documentId: document.id, analysisType: 'full' });
    await waitForStartedActivity(handle);
    await handle.cancel();
    return handle;
  },
  // Cancelled as soon as it is started: depending on timing, before the first step or with the answer
  // landing after the cancel; either is a path of the honest-cancel patch (the c3813fc recording is the second).
  'analyze-document-at-once-cancelled': async (recorder) => {
    const document = await recorder.documents.create({ content: `${ARTICLE} Cancelled at once.` });
    const plan = planProviderChain(recorder.anthropicQueue);
    const handle = await startAnalysis(recorder, recorder.anthropicQueue, { documentId: document.id, analysisType: 'full', plan });
    await handle.cancel();
    return handle;
  },
  'analyze-document-cache-hit': async (recorder) => {
    const document = await recorder.documents.create({ content: `${ARTICLE} Cached.` });
    const cacheKey = `record-${randomUUID()}`;
    const first = await startAnalysis(recorder, recorder.localQueue, { documentId: document.id, analysisType: 'full', cacheKey });
    await first.result();
    return startAnalysis(recorder, recorder.localQueue, { documentId: document.id, analysisType: 'full', cacheKey });
  },
  'analyze-batch-completed': async (recorder) => {
    const items = await Promise.all([1, 2, 3].map(async (n) => ({ documentId: (await recorder.documents.create({ content: `${ARTICLE} Part ${n}.` })).id })));
    const input: AnalyzeBatchInput = { items, analysisType: 'full', concurrency: 2 };
    return recorder.client.workflow.start(WORKFLOW_TYPES.analyzeBatch, {
      workflowId: `record-batch-${randomUUID()}`,
      taskQueue: recorder.localQueue.temporal.taskQueue,
      args: [input],
    });
  },
  // The half-price route: a provider batch polled by timer, answered; then one whose item errors and falls back to sync.
  'analyze-deferred-document-batch-completed': async (recorder) => startDeferred(recorder, `${ARTICLE} Deferred.`),
  'analyze-deferred-document-fallback-completed': async (recorder) => {
    recorder.emulator.provider('anthropic').enqueue({ kind: 'status', status: 529 });
    return startDeferred(recorder, `${ARTICLE} Deferred, then sync.`);
  },
  'analyze-deferred-batch-completed': async (recorder) => {
    recorder.emulator.provider('anthropic').enqueue({ kind: 'ok' }, { kind: 'status', status: 500 });
    const items = await Promise.all([1, 2, 3].map(async (n) => ({ documentId: (await recorder.documents.create({ content: `${ARTICLE} Deferred part ${n}.` })).id, cacheKey: `record-${randomUUID()}` })));
    const input: AnalyzeDeferredBatchInput = { items, analysisType: 'full', concurrency: 2, plan: planProviderChain(recorder.anthropicQueue), schedule: RECORDING_SCHEDULE };
    return recorder.client.workflow.start(WORKFLOW_TYPES.analyzeDeferredBatch, {
      workflowId: `record-deferred-batch-${randomUUID()}`,
      taskQueue: recorder.anthropicQueue.temporal.taskQueue,
      args: [input],
    });
  },
  // A client budget with room for one of three items: one goes through the batch (reserved, then settled), two to local at once.
  'analyze-deferred-batch-over-budget-completed': async (recorder) => {
    const contents = [1, 2, 3].map((n) => `${ARTICLE} Budgeted part ${n}.`);
    const items = await Promise.all(contents.map(async (content) => ({ documentId: (await recorder.documents.create({ content })).id, cacheKey: `record-${randomUUID()}` })));
    const prompt = buildAnalysisPrompt(contents[0]!, 'full');
    const roomForOne = promptTokensUpperBound([prompt.system, ...prompt.messages.map((message) => message.content)]) + recorder.anthropicQueue.providers.anthropic.maxTokens;
    const input: AnalyzeDeferredBatchInput = {
      items,
      analysisType: 'full',
      concurrency: 2,
      plan: planProviderChain(recorder.anthropicQueue),
      schedule: RECORDING_SCHEDULE,
      options: { budget: { scope: `key:${randomUUID().slice(0, 8)}`, limits: [{ window: 'day', unit: 'tokens', amount: roomForOne }] } },
    };
    return recorder.client.workflow.start(WORKFLOW_TYPES.analyzeDeferredBatch, {
      workflowId: `record-deferred-batch-${randomUUID()}`,
      taskQueue: recorder.anthropicQueue.temporal.taskQueue,
      args: [input],
    });
  },
  'health-check-completed': async (recorder) =>
    recorder.client.workflow.start(HEALTH_CHECK_WORKFLOW_TYPE, {
      workflowId: `record-health-${randomUUID()}`,
      taskQueue: recorder.localQueue.temporal.taskQueue,
      args: [],
    }),
  // Two checks, an interval change, then continue-as-new.
  'health-loop-continued': async (recorder) => {
    const handle = await recorder.client.workflow.start(HEALTH_LOOP_WORKFLOW_TYPE, {
      workflowId: `record-health-loop-${randomUUID()}`,
      taskQueue: recorder.localQueue.temporal.taskQueue,
      args: [{ intervalMs: 300, checksPerRun: 2 }],
    });
    await handle.signal(setHealthCheckIntervalSignal, 200);
    const firstRun = recorder.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId, { followRuns: false });
    while ((await firstRun.describe()).status.name === 'RUNNING') await new Promise((resolve) => setTimeout(resolve, 100));
    await handle.terminate('recorded');
    return firstRun;
  },
  'operation-mode-override-health-continued': async (recorder) => {
    // Continues as new after its fourth message, so that path is recorded too.
    const input: OperationModeWorkflowInput = { hysteresis: { failuresToDegrade: 1, passesToRecover: 1, minDwellMs: 0 }, maxMessagesBeforeContinueAsNew: 4 };
    const handle = await recorder.client.workflow.start(OPERATION_MODE_WORKFLOW_TYPE, {
      workflowId: `record-operation-mode-${randomUUID()}`,
      taskQueue: recorder.localQueue.temporal.taskQueue,
      args: [input],
    });
    const redisFails = { components: [{ name: 'temporal', critical: true, ok: true }, { name: 'redis', critical: false, ok: false }] };
    await handle.executeUpdate(reportHealthUpdate, { args: [redisFails] });
    await handle.executeUpdate(setOverrideUpdate, { args: [{ mode: 'MAINTENANCE', reason: 'recording', actor: 'recorder' }] });
    await handle.executeUpdate(clearOverrideUpdate, { args: [{ actor: 'recorder', reason: 'done' }] });
    await handle.executeUpdate(reportHealthUpdate, { args: [{ components: [{ name: 'temporal', critical: true, ok: true }] }] });
    return recorder.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId, { followRuns: false });
  },
};

async function main() {
  const tag = recordingTag();
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const cli = await resolveTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH });
  const devServer = await startDevServer({ cliPath: cli.path, port: await freePort(), uiPort: await freePort(), namespace: 'default', headless: true });
  const emulator = await startProviderEmulator();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'record-histories-'));
  // SQLite in the temporary DATA_DIR: recording needs no other server.
  const documents = await openDocumentStore({ dataDir, documents: { poolSize: 1 } });
  const nativeConnection = await NativeConnection.connect({ address: devServer.address });
  const connection = await Connection.connect({ address: devServer.address });
  const client = new Client({ connection });
  const stops: (() => Promise<void>)[] = [];
  try {
    const base = { PATH: process.env.PATH, TEMPORAL_ADDRESS: devServer.address, DATA_DIR: dataDir };
    const localQueue = loadConfig({ ...base, TEMPORAL_TASK_QUEUE: 'record-local', LLM_PROVIDERS: 'local' });
    const anthropicQueue = loadConfig({
      ...base,
      TEMPORAL_TASK_QUEUE: 'record-anthropic',
      LLM_PROVIDERS: 'anthropic,local',
      ANTHROPIC_API_KEY: 'sk-ant-recording',
      ANTHROPIC_BASE_URL: emulator.anthropicBaseUrl,
      ANTHROPIC_RETRY_INITIAL_INTERVAL_SECONDS: '0.1',
    });
    for (const config of [localQueue, anthropicQueue]) {
      const gates = createGateStore({});
      const cache = AnalysisCache.fromConfig(config, () => {});
      const workers = await createWorkerSet({ config, connection: nativeConnection, documents, gates, cache });
      const running = workers.run();
      await ensureDeployment(client, config, { healthSchedule: false });
      stops.push(async () => {
        workers.shutdown();
        await running;
        await gates.close();
        await cache.close();
      });
    }
    const recorder: Recorder = { client, documents, emulator, localQueue, anthropicQueue };
    fs.mkdirSync(OUTPUT_DIR, { recursive: true });
    // RECORD_CASES=a,b records only those cases (e.g. the ones a change adds).
    const only = process.env.RECORD_CASES?.split(',').filter(Boolean);
    for (const [name, run] of Object.entries(CASES).filter(([name]) => !only || only.includes(name))) {
      emulator.reset();
      const handle = await run(recorder);
      const outcome = await closedStatus(handle);
      if (outcome !== expectedStatus(name)) throw new Error(`${name}: the run ended ${outcome}, not ${expectedStatus(name)}`);
      const file = path.join(OUTPUT_DIR, `${name}.${tag}.json`);
      fs.writeFileSync(file, JSON.stringify(await handle.fetchHistory()));
      console.log(`${path.relative(process.cwd(), file)}: ${outcome}`);
    }
  } finally {
    for (const stop of stops) await stop();
    await documents.close();
    await connection.close();
    await nativeConnection.close();
    await emulator.close();
    await devServer.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error('record-histories failed:', error);
  process.exit(1);
});

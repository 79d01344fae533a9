import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { JobService } from '../../api/jobs';
import { AnalysisCache } from '../../shared/adapters/analysis-cache';
import { loadConfig, type AppConfig } from '../../shared/config';
import { ensureDeployment } from '../../shared/adapters/deployment-bootstrap';
import { operationModeWorkflowId, reportHealthUpdate } from '../../shared/core/operation-mode/messages';
import { createGateStore } from '../../shared/adapters/gate-store';
import { createWorkerSet } from '../../workers/create-worker';
import { startProviderEmulator, type ProviderEmulator } from '../emulator/provider-emulator';
import { waitFor } from '../helpers/http';
import { providerEnv } from '../helpers/provider-workers';
import { getTestStack, type TestStack } from '../helpers/stack';

const run = promisify(execFile);
const { VersioningBehavior } = temporal.api.enums.v1;

interface VersionSeen {
  behavior: string;
  buildId: string | undefined;
}

describe('worker deployment versioning: a rollout from build A to build B', function () {
  this.timeout(180_000);
  let stack: TestStack;
  let emulator: ProviderEmulator;
  const deploymentName = `analysis-${randomUUID().slice(0, 8)}`;
  let env: NodeJS.ProcessEnv;
  const stops: (() => Promise<void>)[] = [];

  before(async function () {
    this.timeout(300_000);
    stack = await getTestStack();
    emulator = await startProviderEmulator();
    // A hanging first provider request keeps a run open across the switch; the retry then completes it.
    env = providerEnv(emulator, { LLM_PROVIDERS: 'anthropic,local', ANTHROPIC_TIMEOUT_SECONDS: '4', WORKER_DEPLOYMENT_NAME: deploymentName });
  });

  after(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await emulator?.close();
  });

  /** Starts the workers of one build, as `WORKER_BUILD_ID=<id> npm run worker` would. */
  async function startBuild(buildId: string): Promise<AppConfig> {
    const config = loadConfig({ ...stack.env, ...env, WORKER_BUILD_ID: buildId });
    const gates = createGateStore({});
    const cache = AnalysisCache.fromConfig(config, () => {});
    const workers = await createWorkerSet({ config, connection: stack.nativeConnection, documents: stack.documents, gates, cache, workflowBundle: stack.workflowBundle });
    const running = workers.run();
    stops.push(async () => {
      workers.shutdown();
      await running;
      await gates.close();
      await cache.close();
    });
    return config;
  }

  /** The operator's command from the README; the new version must have been seen polling first. */
  async function setCurrentVersion(buildId: string): Promise<void> {
    const args = ['worker', 'deployment', 'set-current-version', '--deployment-name', deploymentName, '--build-id', buildId, '--yes', '--address', stack.devServer.address];
    await waitFor(
      () => run(stack.cliPath, args).then(() => 'done', (error: Error & { stderr?: string }) => error.stderr ?? error.message),
      (outcome) => outcome === 'done',
      30_000,
    );
  }

  async function versionOf(handle: WorkflowHandle): Promise<VersionSeen> {
    const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
    return { behavior: VersioningBehavior[info?.behavior ?? 0]!, buildId: info?.deploymentVersion?.buildId ?? undefined };
  }

  async function buildsThatCompletedTasks(handle: WorkflowHandle): Promise<string[]> {
    const history = await handle.fetchHistory();
    return (history.events ?? [])
      .map((event) => event.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId)
      .filter((buildId): buildId is string => typeof buildId === 'string');
  }

  it('keeps a run started on A on A after B becomes current, sends new runs to B, and moves the operation-mode entity to B', async () => {
    const configA = await startBuild('build-a');
    await setCurrentVersion('build-a');
    const client = stack.client;
    const jobs = new JobService(client, configA);
    await ensureDeployment(client, configA, { healthSchedule: false });
    const operationMode = client.workflow.getHandle(operationModeWorkflowId(configA.temporal.taskQueue));

    emulator.provider('anthropic').enqueue({ kind: 'hang' });
    const first = await jobs.start({ documentId: (await stack.documents.create({ content: 'Started on build A.' })).id, analysisType: 'full' });
    await emulator.provider('anthropic').waitForRequests(1, 20_000);

    await startBuild('build-b');
    await setCurrentVersion('build-b');
    const second = await jobs.start({ documentId: (await stack.documents.create({ content: 'Started on build B.' })).id, analysisType: 'full' });

    const firstHandle = client.workflow.getHandle(first.jobId);
    const secondHandle = client.workflow.getHandle(second.jobId);
    await Promise.all([firstHandle.result(), secondHandle.result()]);

    // The first run finished (its retry and last workflow task after the switch) on the build that started it.
    assert.deepEqual(await versionOf(firstHandle), { behavior: 'VERSIONING_BEHAVIOR_PINNED', buildId: 'build-a' });
    const firstBuilds = await buildsThatCompletedTasks(firstHandle);
    assert.ok(firstBuilds.length >= 2, String(firstBuilds));
    assert.deepEqual([...new Set(firstBuilds)], ['build-a']);
    assert.equal(emulator.provider('anthropic').requests, 3, 'hang, its retry, and the second job');

    assert.deepEqual(await versionOf(secondHandle), { behavior: 'VERSIONING_BEHAVIOR_PINNED', buildId: 'build-b' });
    assert.deepEqual([...new Set(await buildsThatCompletedTasks(secondHandle))], ['build-b']);

    // The entity workflow is auto-upgrade: its next task after the switch runs on B.
    await operationMode.executeUpdate(reportHealthUpdate, { args: [{ components: [{ name: 'temporal', critical: true, ok: true }] }] });
    assert.deepEqual(await versionOf(operationMode), { behavior: 'VERSIONING_BEHAVIOR_AUTO_UPGRADE', buildId: 'build-b' });

    // What the operator watches before retiring A: no open run left on it.
    const openOnA = `TemporalWorkerDeploymentVersion = "${deploymentName}:build-a" AND ExecutionStatus = "Running"`;
    const counted = await waitFor(() => client.workflow.count(openOnA), ({ count }) => count === 0, 20_000);
    assert.equal(counted.count, 0);
    const onB = await client.workflow.count(`TemporalWorkerDeploymentVersion = "${deploymentName}:build-b"`);
    assert.ok(onB.count >= 2, `runs on B: ${onB.count}`);
    // The same as `describe-version`'s DrainageStatus (the test server refreshes it in seconds, a real one in minutes).
    const describeA = ['worker', 'deployment', 'describe-version', '--deployment-name', deploymentName, '--build-id', 'build-a', '--output', 'json', '--address', stack.devServer.address];
    const drainageOfA = async () => JSON.parse((await run(stack.cliPath, describeA)).stdout).drainageInfo?.drainageStatus as string | undefined;
    assert.equal(await waitFor(drainageOfA, (status) => status === 'drained', 30_000), 'drained');
  });
});

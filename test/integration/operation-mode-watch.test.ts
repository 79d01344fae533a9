/**
 * A watched operation-mode reader: it keeps a read while the mode workflow's history is quiet, and
 * reads again after the workflow's next event, across its continue-as-new too.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { dataConverterFor } from '../../shared/adapters/data-converter';
import { OperationModeClient } from '../../shared/adapters/operation-mode-client';
import type { AppConfig } from '../../shared/config';
import { operationModeWorkflowId, reportHealthUpdate, setOverrideUpdate } from '../../shared/core/operation-mode/messages';
import type { HealthCheckResult } from '../../shared/core/operation-mode/health-hysteresis';
import { operationModeWorkflow } from '../../workflows/operation-mode';
import { bundleOperationModeWorkflow } from '../helpers/operation-mode-bundle';
import { getTestStack, type TestStack } from '../helpers/stack';

const allPass: HealthCheckResult = { components: [{ name: 'temporal', critical: true, ok: true }] };
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('operation mode: a reader that follows the mode workflow', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let workflowBundle: WorkflowBundleWithSourceMap;

  before(async function () {
    this.timeout(180_000);
    stack = await getTestStack();
    workflowBundle = await bundleOperationModeWorkflow();
  });

  /** A mode workflow of its own (on its own task queue) and a watched reader of it that counts its queries. */
  async function withWatchedMode(maxMessages: number, body: (reader: { modes: OperationModeClient; queries: () => number }, config: AppConfig) => Promise<void>): Promise<void> {
    const taskQueue = `opmode-watch-${randomUUID()}`;
    const config: AppConfig = { ...stack.config, temporal: { ...stack.config.temporal, taskQueue } };
    let queries = 0;
    const counting: WorkflowClientInterceptor = {
      query: (input, next) => {
        queries++;
        return next(input);
      },
    };
    const client = new Client({ connection: stack.client.connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config), interceptors: { workflow: [counting] } });
    // memoMs 0: without the watch, every read would ask the workflow.
    const modes = new OperationModeClient(client, config, 0, { watch: true });
    const worker = await Worker.create({ connection: stack.nativeConnection, taskQueue, workflowBundle, dataConverter: dataConverterFor(config) });
    await worker.runUntil(async () => {
      const handle = await stack.client.workflow.start(operationModeWorkflow, { taskQueue, workflowId: operationModeWorkflowId(taskQueue), args: [{ maxMessagesBeforeContinueAsNew: maxMessages }] });
      try {
        await body({ modes, queries: () => queries }, config);
      } finally {
        await modes.close();
        await handle.terminate('test finished');
      }
    });
  }

  /** Reads until the reader serves reads without asking (the watch is in step), and returns the mode it serves. */
  async function settled(modes: OperationModeClient): Promise<string | undefined> {
    for (let tries = 0; tries < 50; tries++) {
      const read = await modes.read();
      if (modes.readMemoized()) return read.view?.mode;
      await delay(100);
    }
    assert.fail('the watch never got in step with the mode workflow');
  }

  /** The mode the reader serves once it has seen `expected`, reading every 100 ms for up to 10 s. */
  async function modeSeen(modes: OperationModeClient, expected: string): Promise<string | undefined> {
    let mode: string | undefined;
    for (let tries = 0; tries < 100 && mode !== expected; tries++) {
      mode = (await modes.read()).view?.mode;
      if (mode !== expected) await delay(100);
    }
    return mode;
  }

  it('keeps a read while the mode workflow is quiet, and asks again after its next event', async () => {
    await withWatchedMode(100, async ({ modes, queries }, config) => {
      assert.equal(await settled(modes), 'NORMAL');
      const asked = queries();
      for (let i = 0; i < 5; i++) {
        await delay(300);
        assert.equal((await modes.read()).view?.mode, 'NORMAL');
      }
      assert.equal(queries(), asked, 'five reads over 1.5 s, no query: the workflow had no new event');

      // Another process changes the mode.
      await stack.client.workflow.getHandle(operationModeWorkflowId(config.temporal.taskQueue)).executeUpdate(setOverrideUpdate, { args: [{ mode: 'DEGRADED', reason: 'incident', actor: 'alice' }] });
      // A watch that missed the change would serve NORMAL for its 30 s limit.
      assert.equal(await modeSeen(modes, 'DEGRADED'), 'DEGRADED', 'the change was seen within 10 s');
      assert.ok(queries() > asked);
    });
  });

  it('follows the mode workflow across continue-as-new', async () => {
    await withWatchedMode(2, async ({ modes, queries }, config) => {
      assert.equal(await settled(modes), 'NORMAL');
      const handle = stack.client.workflow.getHandle(operationModeWorkflowId(config.temporal.taskQueue));
      const firstRunId = (await handle.describe()).runId;
      await handle.executeUpdate(reportHealthUpdate, { args: [allPass] });
      await handle.executeUpdate(reportHealthUpdate, { args: [allPass] });
      for (let tries = 0; tries < 100 && (await handle.describe()).runId === firstRunId; tries++) await delay(100);
      assert.notEqual((await handle.describe()).runId, firstRunId, 'the run continued as new');

      assert.equal(await settled(modes), 'NORMAL');
      const asked = queries();
      await delay(1_000);
      assert.equal((await modes.read()).view?.mode, 'NORMAL');
      assert.equal(queries(), asked, 'in step with the new run: no query');

      await handle.executeUpdate(setOverrideUpdate, { args: [{ mode: 'MAINTENANCE', reason: 'upgrade', actor: 'bob' }] });
      assert.equal(await modeSeen(modes, 'MAINTENANCE'), 'MAINTENANCE', 'a change on the new run was seen');
    });
  });

  it('stops its long-poll at once on close, and then reads as a plain reader', async () => {
    await withWatchedMode(100, async ({ modes, queries }) => {
      assert.equal(await settled(modes), 'NORMAL');
      const closing = Date.now();
      await modes.close();
      // The server holds a history long-poll for about 20 s: close aborts it instead of waiting for it.
      assert.ok(Date.now() - closing < 5_000, `close took ${Date.now() - closing} ms`);
      const asked = queries();
      await modes.read();
      assert.equal(queries(), asked + 1, 'no watch: memoMs 0 asks every time');
    });
  });
});

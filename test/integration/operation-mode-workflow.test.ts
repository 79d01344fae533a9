import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { dataConverterFor } from '../../shared/adapters/data-converter';
import type { HealthCheckResult } from '../../shared/core/operation-mode/health-hysteresis';
import {
  clearOverrideUpdate,
  currentModeQuery,
  featureFlagsQuery,
  OPERATION_MODE_FAILURE_TYPES,
  operationModeStateQuery,
  reportHealthUpdate,
  setOverrideUpdate,
  type OperationModeWorkflowInput,
} from '../../shared/core/operation-mode/messages';
import type { OverrideRequest } from '../../shared/core/operation-mode/override-request';
import { SEARCH_ATTRIBUTES } from '../../shared/core/names';
import { operationModeWorkflow } from '../../workflows/operation-mode';
import { bundleOperationModeWorkflow } from '../helpers/operation-mode-bundle';
import { getTestStack, type TestStack } from '../helpers/stack';

type OperationModeHandle = WorkflowHandle<typeof operationModeWorkflow>;

const allPass: HealthCheckResult = { components: [{ name: 'temporal', critical: true, ok: true }, { name: 'redis', critical: false, ok: true }] };
const optionalFails: HealthCheckResult = { components: [{ name: 'temporal', critical: true, ok: true }, { name: 'redis', critical: false, ok: false }] };
const criticalFails: HealthCheckResult = { components: [{ name: 'temporal', critical: true, ok: false }, { name: 'redis', critical: false, ok: true }] };

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function rejectionOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => assert.fail('the update should have been rejected'),
    (error: unknown) => error,
  );
  assert.ok(error instanceof WorkflowUpdateFailedError, String(error));
  assert.ok(error.cause instanceof ApplicationFailure, String(error.cause));
  return error.cause;
}

describe('operation mode workflow', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let workflowBundle: WorkflowBundleWithSourceMap;

  before(async function () {
    this.timeout(180_000);
    stack = await getTestStack();
    workflowBundle = await bundleOperationModeWorkflow();
  });

  /** A fresh worker on its own task queue and a workflow with its own id (never the singleton's). */
  async function withOperationMode(input: OperationModeWorkflowInput, body: (handle: OperationModeHandle) => Promise<void>): Promise<void> {
    const taskQueue = `opmode-${randomUUID()}`;
    const worker = await Worker.create({ connection: stack.nativeConnection, taskQueue, workflowBundle, dataConverter: dataConverterFor(stack.config) });
    await worker.runUntil(async () => {
      const handle = await stack.client.workflow.start(operationModeWorkflow, { taskQueue, workflowId: `operation-mode-test-${randomUUID()}`, args: [input] });
      try {
        await body(handle);
      } finally {
        await handle.terminate('test finished');
      }
    });
  }

  const setOverride = (handle: OperationModeHandle, request: Partial<OverrideRequest> | Record<string, unknown>) =>
    handle.executeUpdate(setOverrideUpdate, { args: [request as OverrideRequest] });
  const reportHealth = (handle: OperationModeHandle, check: HealthCheckResult) => handle.executeUpdate(reportHealthUpdate, { args: [check] });

  it('reports the mode an override sets through its queries, flags and search attribute', async () => {
    await withOperationMode({}, async (handle) => {
      assert.equal((await handle.query(currentModeQuery)).mode, 'NORMAL');
      const result = await setOverride(handle, { mode: 'DEGRADED', reason: 'provider incident', actor: 'alice' });
      assert.equal(result.mode, 'DEGRADED');
      assert.deepEqual(result.transitions.map((t) => [t.from, t.to, t.cause, t.actor]), [['NORMAL', 'DEGRADED', 'override', 'alice']]);

      const view = await handle.query(currentModeQuery);
      assert.equal(view.mode, 'DEGRADED');
      assert.equal(view.healthMode, 'NORMAL');
      assert.equal(view.override?.reason, 'provider incident');
      assert.deepEqual(view.reasons, [{ component: 'override:alice', description: 'provider incident', severity: 'warning' }]);
      const flags = await handle.query(featureFlagsQuery);
      assert.equal(flags.enable_advanced_llm_models?.value, false);
      assert.equal(flags.enable_document_analysis?.value, true);
      assert.equal((await handle.describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.operationMode), 'DEGRADED');
    });
  });

  it('rejects an invalid override in the validator, naming each problem, and keeps running', async () => {
    await withOperationMode({}, async (handle) => {
      const failure = await rejectionOf(setOverride(handle, { mode: 'PANIC', reason: '', actor: 'alice' }));
      assert.equal(failure.type, OPERATION_MODE_FAILURE_TYPES.invalidOverride);
      assert.match(failure.message, /INVALID_MODE: mode must be one of .*"PANIC"/);
      assert.match(failure.message, /EMPTY_REASON/);
      assert.deepEqual((failure.details?.[0] as { code: string }[]).map((error) => error.code), ['INVALID_MODE', 'EMPTY_REASON']);

      await setOverride(handle, { mode: 'EMERGENCY', reason: 'outage', actor: 'alice' });
      const notAllowed = await rejectionOf(setOverride(handle, { mode: 'NORMAL', reason: 'fixed', actor: 'alice' }));
      assert.match(notAllowed.message, /TRANSITION_NOT_ALLOWED: an override may not go from EMERGENCY to NORMAL/);
      const staleExpiry = await rejectionOf(setOverride(handle, { mode: 'DEGRADED', reason: 'x', actor: 'a', expiresAt: '2020-01-01T00:00:00Z' }));
      assert.match(staleExpiry.message, /EXPIRY_IN_PAST/);
      const badHealth = await rejectionOf(handle.executeUpdate(reportHealthUpdate, { args: [{ components: [] }] }));
      assert.equal(badHealth.type, OPERATION_MODE_FAILURE_TYPES.invalidHealthReport);

      assert.equal((await handle.describe()).status.name, 'RUNNING');
      const state = await handle.query(operationModeStateQuery);
      assert.equal(state.mode, 'EMERGENCY');
      assert.equal(state.audit.length, 1, 'rejected requests change nothing');
    });
  });

  it('fails at once, without retrying, when started with an invalid input', async () => {
    const taskQueue = `opmode-${randomUUID()}`;
    const worker = await Worker.create({ connection: stack.nativeConnection, taskQueue, workflowBundle, dataConverter: dataConverterFor(stack.config) });
    const error = await worker.runUntil(
      stack.client.workflow
        .execute(operationModeWorkflow, { taskQueue, workflowId: `operation-mode-test-${randomUUID()}`, args: [{ maxMessagesBeforeContinueAsNew: 0 }] })
        .then(
          () => assert.fail('the workflow should have failed'),
          (error: unknown) => error,
        ),
    );
    assert.ok(error instanceof WorkflowFailedError, String(error));
    assert.ok(error.cause instanceof ApplicationFailure);
    assert.equal(error.cause.type, OPERATION_MODE_FAILURE_TYPES.invalidInput);
  });

  it('hands control back to health when an override expires, without any further message', async () => {
    await withOperationMode({ hysteresis: { failuresToDegrade: 1, passesToRecover: 1, minDwellMs: 0 } }, async (handle) => {
      const expiresAt = new Date(Date.now() + 3_000).toISOString();
      await setOverride(handle, { mode: 'MAINTENANCE', reason: 'database upgrade', actor: 'alice', expiresAt });
      const pinned = await reportHealth(handle, optionalFails);
      assert.deepEqual(pinned, { mode: 'MAINTENANCE', transitions: [] }, 'health does not leave MAINTENANCE');

      const view = await eventually(() => handle.query(currentModeQuery), (v) => v.mode !== 'MAINTENANCE');
      assert.equal(view.mode, 'DEGRADED');
      assert.equal(view.override, undefined);
      const { audit } = await handle.query(operationModeStateQuery);
      assert.deepEqual(audit.map((entry) => [entry.from, entry.to, entry.cause]), [
        ['NORMAL', 'MAINTENANCE', 'override'],
        ['MAINTENANCE', 'DEGRADED', 'override-expired'],
      ]);
      assert.ok(Date.parse(audit[1]!.at) >= Date.parse(expiresAt));
    });
  });

  it('turns a series of health reports into hysteresis transitions, one audit entry each', async () => {
    await withOperationMode({ hysteresis: { failuresToDegrade: 3, passesToRecover: 3, minDwellMs: 0 } }, async (handle) => {
      const sequence: [HealthCheckResult, string][] = [
        [allPass, 'NORMAL'], [optionalFails, 'NORMAL'], [allPass, 'NORMAL'], [optionalFails, 'NORMAL'], // flapping: nothing
        [optionalFails, 'NORMAL'], [optionalFails, 'DEGRADED'],
        [criticalFails, 'DEGRADED'], [criticalFails, 'DEGRADED'], [criticalFails, 'EMERGENCY'],
        [allPass, 'EMERGENCY'], [allPass, 'EMERGENCY'], [allPass, 'DEGRADED'],
        [allPass, 'DEGRADED'], [allPass, 'DEGRADED'], [allPass, 'NORMAL'],
      ];
      let reportedTransitions = 0;
      for (const [index, [check, expectedMode]] of sequence.entries()) {
        const result = await reportHealth(handle, check);
        assert.equal(result.mode, expectedMode, `after report ${index + 1}`);
        reportedTransitions += result.transitions.length;
      }
      const state = await handle.query(operationModeStateQuery);
      assert.deepEqual(state.audit.map((entry) => `${entry.from}->${entry.to}`), ['NORMAL->DEGRADED', 'DEGRADED->EMERGENCY', 'EMERGENCY->DEGRADED', 'DEGRADED->NORMAL']);
      assert.equal(reportedTransitions, 4);
      assert.equal(state.transitionCount, 4);
      assert.ok(state.audit.every((entry) => entry.cause === 'health' && entry.actor === 'health-monitor'));
      assert.deepEqual(state.audit[1]?.checks, criticalFails.components);
    });
  });

  it('continues as new after the message threshold, carrying mode, override, hysteresis counts and audit', async () => {
    const input: OperationModeWorkflowInput = { maxMessagesBeforeContinueAsNew: 5, hysteresis: { failuresToDegrade: 3, passesToRecover: 3, minDwellMs: 0 } };
    await withOperationMode(input, async (handle) => {
      const firstRunId = (await handle.describe()).runId;
      await setOverride(handle, { mode: 'DEGRADED', reason: 'deploy', actor: 'alice' });
      await reportHealth(handle, allPass);
      await reportHealth(handle, optionalFails);
      await reportHealth(handle, optionalFails);
      // The 5th message: the run continues as new with an active override and a failure streak of 2.
      await setOverride(handle, { mode: 'MAINTENANCE', reason: 'database upgrade', actor: 'bob' });

      const secondRun = await eventually(() => handle.describe(), (d) => d.runId !== firstRunId);
      assert.notEqual(secondRun.runId, firstRunId);
      const firstRun = stack.client.workflow.getHandle(handle.workflowId, firstRunId);
      assert.equal((await firstRun.describe()).status.name, 'CONTINUED_AS_NEW');
      await Worker.runReplayHistory({ workflowBundle, dataConverter: dataConverterFor(stack.config) }, await firstRun.fetchHistory());

      const carried = await handle.query(operationModeStateQuery);
      assert.equal(carried.mode, 'MAINTENANCE');
      assert.deepEqual({ actor: carried.override?.actor, reason: carried.override?.reason }, { actor: 'bob', reason: 'database upgrade' });
      assert.deepEqual({ mode: carried.health.mode, failingStreak: carried.health.failingStreak }, { mode: 'NORMAL', failingStreak: 2 });
      assert.deepEqual(carried.audit.map((entry) => [entry.from, entry.to, entry.actor]), [['NORMAL', 'DEGRADED', 'alice'], ['DEGRADED', 'MAINTENANCE', 'bob']]);

      assert.deepEqual(await reportHealth(handle, optionalFails), { mode: 'MAINTENANCE', transitions: [] }, 'the carried streak completes underneath the override');
      const cleared = await handle.executeUpdate(clearOverrideUpdate, { args: [{ actor: 'bob', reason: 'upgrade done' }] });
      assert.deepEqual(cleared.transitions.map((t) => [t.from, t.to, t.cause]), [['MAINTENANCE', 'DEGRADED', 'override-cleared']]);
      const after = await handle.query(operationModeStateQuery);
      assert.equal(after.audit.length, 3);
      assert.equal(after.transitionCount, 3);
      assert.equal((await handle.describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.operationMode), 'DEGRADED');
    });
  });
});

/**
 * The system's operation mode as a singleton entity workflow (id OPERATION_MODE_WORKFLOW_ID). Handlers
 * only change state through the pure core in shared/core/operation-mode; the main loop sleeps until an
 * override expires or it is time to continue as new, carrying the whole state along.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  setHandler,
  setWorkflowOptions,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AuditEntry } from '../shared/core/operation-mode/audit';
import { evaluateAllFlags } from '../shared/core/operation-mode/feature-flags';
import {
  resolveHysteresisConfig,
  validateHealthCheck,
  type HealthCheckError,
  type HysteresisConfig,
} from '../shared/core/operation-mode/health-hysteresis';
import {
  clearOverrideUpdate,
  currentModeQuery,
  DEFAULT_MAX_MESSAGES_BEFORE_CONTINUE_AS_NEW,
  featureFlagsQuery,
  OPERATION_MODE_FAILURE_TYPES,
  operationModeStateQuery,
  reportHealthUpdate,
  reportBudgetUpdate,
  setOverrideUpdate,
  type ModeChangeResult,
  type OperationModeWorkflowInput,
} from '../shared/core/operation-mode/messages';
import {
  describeOverrideErrors,
  validateClearOverrideRequest,
  validateOverrideRequest,
  type OverrideError,
} from '../shared/core/operation-mode/override-request';
import { validateBudgetReport } from '../shared/core/operation-mode/budget-mode';
import {
  applyBudgetReport,
  applyHealthCheck,
  applyOverride,
  clearOverride,
  expireOverride,
  initialOperationModeState,
  overrideExpiresAtMs,
  type ModeChange,
  type OperationModeState,
} from '../shared/core/operation-mode/state';
import { describeOperationMode } from '../shared/core/operation-mode/view';
import { SEARCH_ATTRIBUTES } from '../shared/core/names';

// It never ends, so it cannot stay pinned to the build that started it: with worker versioning on,
// each new current build takes it over (changes to it need patched(), checked by the replay tests).
// An unversioned worker must not name a behavior at all: the server rejects its task completions.
setWorkflowOptions(
  () => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'AUTO_UPGRADE' } : {}),
  operationModeWorkflow,
);

export async function operationModeWorkflow(input: OperationModeWorkflowInput = {}): Promise<never> {
  const { hysteresis, maxMessages } = settingsOf(input);
  // Workflow time: Date.now() is deterministic here, read once per handler and passed to the pure core.
  let state = input.state ?? initialOperationModeState(Date.now());
  let handledMessages = 0;

  const publishMode = () => upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.operationMode, value: state.mode }]);
  /** Every message first retires an expired override, so none acts on a stale one. */
  const handleMessage = (apply: (current: OperationModeState, nowMs: number) => ModeChange): ModeChangeResult => {
    const nowMs = Date.now();
    const expired = expireOverride(state, nowMs);
    const applied = apply(expired.state, nowMs);
    const transitions = [expired.transition, applied.transition].filter((entry): entry is AuditEntry => entry !== undefined);
    state = applied.state;
    handledMessages++;
    if (transitions.length > 0) publishMode();
    return { mode: state.mode, transitions };
  };

  setHandler(currentModeQuery, () => describeOperationMode(state));
  setHandler(operationModeStateQuery, () => state);
  setHandler(featureFlagsQuery, () => evaluateAllFlags(state));

  setHandler(
    setOverrideUpdate,
    (request) =>
      handleMessage((current, nowMs) => {
        const outcome = applyOverride(current, request, nowMs);
        if (!outcome.ok) throw invalidOverride(outcome.errors);
        return outcome;
      }),
    {
      validator: (request) => {
        const nowMs = Date.now();
        accepted(validateOverrideRequest(request, expireOverride(state, nowMs).state, nowMs), invalidOverride);
      },
    },
  );
  setHandler(
    clearOverrideUpdate,
    (request) => handleMessage((current, nowMs) => clearOverride(current, accepted(validateClearOverrideRequest(request), invalidOverride), nowMs)),
    { validator: (request) => void accepted(validateClearOverrideRequest(request), invalidOverride) },
  );
  setHandler(
    reportHealthUpdate,
    (check) => handleMessage((current, nowMs) => applyHealthCheck(current, accepted(validateHealthCheck(check), invalidHealthReport), nowMs, hysteresis)),
    { validator: (check) => void accepted(validateHealthCheck(check), invalidHealthReport) },
  );

  setHandler(
    reportBudgetUpdate,
    (report) => handleMessage((current, nowMs) => applyBudgetReport(current, accepted(validateBudgetReport(report), invalidBudgetReport), nowMs)),
    { validator: (report) => void accepted(validateBudgetReport(report), invalidBudgetReport) },
  );

  publishMode();
  const shouldContinueAsNew = () => handledMessages >= maxMessages || workflowInfo().continueAsNewSuggested;
  while (!shouldContinueAsNew()) {
    const seenOverride = state.override;
    const wake = () => shouldContinueAsNew() || state.override !== seenOverride;
    const expiresAtMs = overrideExpiresAtMs(state);
    if (expiresAtMs === undefined) await condition(wake);
    else await condition(wake, Math.max(1, expiresAtMs - Date.now()));
    const expired = expireOverride(state, Date.now());
    state = expired.state;
    if (expired.transition) publishMode();
  }
  await condition(allHandlersFinished);
  return continueAsNew<typeof operationModeWorkflow>({ ...input, state });
}

/** A bad input fails the workflow at once; throwing anything else would retry its first task forever. */
function settingsOf(input: OperationModeWorkflowInput): { hysteresis: HysteresisConfig; maxMessages: number } {
  const maxMessages = input.maxMessagesBeforeContinueAsNew ?? DEFAULT_MAX_MESSAGES_BEFORE_CONTINUE_AS_NEW;
  if (!Number.isInteger(maxMessages) || maxMessages < 1) {
    throw ApplicationFailure.nonRetryable(`maxMessagesBeforeContinueAsNew must be a positive integer (got ${maxMessages})`, OPERATION_MODE_FAILURE_TYPES.invalidInput);
  }
  try {
    return { hysteresis: resolveHysteresisConfig(input.hysteresis), maxMessages };
  } catch (error) {
    throw ApplicationFailure.nonRetryable(`invalid hysteresis config: ${error instanceof Error ? error.message : String(error)}`, OPERATION_MODE_FAILURE_TYPES.invalidInput);
  }
}

/**
 * The validated value, or the failure that rejects the update. Handlers check again because updates
 * validated in the same activation can conflict (EMERGENCY, then NORMAL): the later one then fails.
 */
function accepted<T, E>(validated: { ok: true; value: T } | { ok: false; errors: E[] }, reject: (errors: E[]) => ApplicationFailure): T {
  if (!validated.ok) throw reject(validated.errors);
  return validated.value;
}

function invalidOverride(errors: OverrideError[]): ApplicationFailure {
  return ApplicationFailure.create({
    type: OPERATION_MODE_FAILURE_TYPES.invalidOverride,
    message: `invalid override: ${describeOverrideErrors(errors)}`,
    details: [errors],
    nonRetryable: true,
  });
}

function invalidBudgetReport(errors: { path: string; message: string }[]): ApplicationFailure {
  return ApplicationFailure.create({
    type: OPERATION_MODE_FAILURE_TYPES.invalidBudgetReport,
    message: `invalid budget report: ${errors.map((error) => `${error.path}: ${error.message}`).join('; ')}`,
    details: [errors],
    nonRetryable: true,
  });
}

function invalidHealthReport(errors: HealthCheckError[]): ApplicationFailure {
  return ApplicationFailure.create({
    type: OPERATION_MODE_FAILURE_TYPES.invalidHealthReport,
    message: `invalid health report: ${errors.map((error) => `${error.path}: ${error.message}`).join('; ')}`,
    details: [errors],
    nonRetryable: true,
  });
}

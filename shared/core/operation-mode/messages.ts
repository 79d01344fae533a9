/**
 * Names shared by the operation-mode workflow and its callers: the singleton's workflow id, its input,
 * and its query and update definitions. Imported by the workflow bundle: no Node built-ins.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AuditEntry } from './audit';
import type { FlagEvaluation } from './feature-flags';
import type { HealthCheckResult, HysteresisConfig } from './health-hysteresis';
import type { OperationMode } from './modes';
import type { ClearOverrideRequest, OverrideRequest } from './override-request';
import type { OperationModeState } from './state';
import type { OperationModeView } from './view';
import type { BudgetReport } from './budget-mode';

/** One operation mode for the whole system: start it with this id (and WorkflowIdConflictPolicy USE_EXISTING). */
export const OPERATION_MODE_WORKFLOW_ID = 'operation-mode';

/** One singleton per deployment (namespace + task queue), so test suites and staging stacks stay apart. */
export const operationModeWorkflowId = (taskQueue: string) => `${OPERATION_MODE_WORKFLOW_ID}-${taskQueue}`;
/** The Schedule of earlier releases (one healthCheckWorkflow run per interval), removed at start. */
export const healthCheckScheduleId = (taskQueue: string) => `health-check-${taskQueue}`;
export const HEALTH_CHECK_WORKFLOW_TYPE = 'healthCheckWorkflow';
/** The one long-lived health-check run per deployment (see workflows/health-loop.ts). */
export const healthLoopWorkflowId = (taskQueue: string) => `health-loop-${taskQueue}`;
export const HEALTH_LOOP_WORKFLOW_TYPE = 'healthLoopWorkflow';
/** About 11 events per check: 360 checks keep a run near 4,000 events (3 hours at 30 s). */
export const HEALTH_LOOP_CHECKS_PER_RUN = 360;

export interface HealthLoopInput {
  intervalMs: number;
  /** Checks before continuing as new; default HEALTH_LOOP_CHECKS_PER_RUN. */
  checksPerRun?: number;
}

/** A new HEALTH_CHECK_INTERVAL_SECONDS reaches the running loop (ms): it cuts the current wait short, then applies. */
export const setHealthCheckIntervalSignal = defineSignal<[number]>('setHealthCheckInterval');
export const OPERATION_MODE_WORKFLOW_TYPE = 'operationModeWorkflow';

/** Well below the event-history limits; each message adds a handful of events. */
export const DEFAULT_MAX_MESSAGES_BEFORE_CONTINUE_AS_NEW = 500;

export interface OperationModeWorkflowInput {
  /** Carried across continue-as-new; absent on the first run. */
  state?: OperationModeState;
  hysteresis?: Partial<HysteresisConfig>;
  maxMessagesBeforeContinueAsNew?: number;
}

/** What an update did: the mode afterwards and the transitions it caused (an expiry may precede it). */
export interface ModeChangeResult {
  mode: OperationMode;
  transitions: AuditEntry[];
}

/**
 * ApplicationFailure types: update validators reject bad requests with the first two (details[0] lists
 * the problems); a bad workflow input fails the workflow with the third.
 */
export const OPERATION_MODE_FAILURE_TYPES = {
  invalidOverride: 'InvalidOperationModeOverride',
  invalidHealthReport: 'InvalidHealthReport',
  invalidBudgetReport: 'InvalidBudgetReport',
  invalidInput: 'InvalidOperationModeInput',
} as const;

export const currentModeQuery = defineQuery<OperationModeView>('currentMode');
export const operationModeStateQuery = defineQuery<OperationModeState>('operationModeState');
export const featureFlagsQuery = defineQuery<Record<string, FlagEvaluation>>('featureFlags');

export const setOverrideUpdate = defineUpdate<ModeChangeResult, [OverrideRequest]>('setOverride');
export const clearOverrideUpdate = defineUpdate<ModeChangeResult, [ClearOverrideRequest]>('clearOverride');
export const reportHealthUpdate = defineUpdate<ModeChangeResult, [HealthCheckResult]>('reportHealth');
export const reportBudgetUpdate = defineUpdate<ModeChangeResult, [BudgetReport]>('reportBudget');

/**
 * How the API and the activities reach the operation-mode workflow. Reads never throw and never wait
 * long: with the workflow unreachable a read answers `undefined` within READ_TIMEOUT_MS, and flag
 * evaluation falls back to each flag's safe default with the reason (OpenFeature's UNAVAILABLE).
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import { HistoryChangeWatch } from './temporal/history-change-watch';
import { temporalUnreachableReason } from './temporal/temporal-unavailable';
import { applicationFailureOf } from '../core/failure-types';
import { missingKeyIdOf } from './payload-codec';
import { evaluateAllFlags, evaluateFlag, type FlagEvaluation, type KnownFeatureFlagName } from '../core/operation-mode/feature-flags';
import type { HealthCheckResult } from '../core/operation-mode/health-hysteresis';
import {
  clearOverrideUpdate,
  currentModeQuery,
  OPERATION_MODE_WORKFLOW_TYPE,
  operationModeStateQuery,
  operationModeWorkflowId,
  reportHealthUpdate,
  reportBudgetUpdate,
  setOverrideUpdate,
  type ModeChangeResult,
  type OperationModeWorkflowInput,
} from '../core/operation-mode/messages';
import type { ClearOverrideRequest, OverrideRequest } from '../core/operation-mode/override-request';
import type { OperationModeState } from '../core/operation-mode/state';
import type { OperationModeView } from '../core/operation-mode/view';
import type { BudgetReport } from '../core/operation-mode/budget-mode';

const READ_TIMEOUT_MS = 1_000;
/** A watched read is asked again after this long all the same, in case the watch missed something. */
const WATCHED_MEMO_MAX_MS = 30_000;

/** A rejected override or report, with the validator's list of problems. */
export class OperationModeRequestError extends Error {
  constructor(
    message: string,
    readonly problems: unknown[],
  ) {
    super(message);
    this.name = 'OperationModeRequestError';
  }
}

export interface ModeRead {
  view?: OperationModeView;
  /** Why the view is missing. */
  unavailable?: string;
  /** The payload key the mode workflow's history needs and this deployment lacks, when that is why. */
  missingKeyId?: string;
}

export interface OperationModeClientOptions {
  /**
   * Follow the mode workflow's history (one long-poll per event batch of it): a read is then kept until
   * the workflow's next event (at most WATCHED_MEMO_MAX_MS), not only for `memoMs`. Stop with close().
   */
  watch?: boolean;
}

export class OperationModeClient {
  readonly workflowId: string;
  private memo?: { at: number; mark?: number; read: ModeRead };
  private inflight?: Promise<ModeRead>;
  private readonly watch?: HistoryChangeWatch;

  /** `memoMs` > 0 lets a busy API reuse a read for that long (the mode changes rarely). */
  constructor(
    private readonly client: Client,
    private readonly config: AppConfig,
    private readonly memoMs = 0,
    options: OperationModeClientOptions = {},
  ) {
    this.workflowId = operationModeWorkflowId(config.temporal.taskQueue);
    if (options.watch) this.watch = new HistoryChangeWatch(client, this.workflowId);
  }

  /** Stops following the mode workflow (the process is stopping). */
  async close(): Promise<void> {
    await this.watch?.stop();
  }

  /** Starts the singleton unless it runs already; safe to call from every process at start. */
  async ensureRunning(): Promise<void> {
    const input: OperationModeWorkflowInput = {
      hysteresis: {
        failuresToDegrade: this.config.health.failuresToDegrade,
        passesToRecover: this.config.health.passesToRecover,
        minDwellMs: this.config.health.minDwellMs,
      },
    };
    await this.client.workflow.start(OPERATION_MODE_WORKFLOW_TYPE, {
      workflowId: this.workflowId,
      taskQueue: this.config.temporal.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: 'Operation mode (NORMAL / DEGRADED / EMERGENCY / MAINTENANCE) and feature flags',
    });
  }

  /** The memoized read while it is fresh, without a promise; undefined when `read()` would ask Temporal. */
  readMemoized(now = Date.now()): ModeRead | undefined {
    const memo = this.memo;
    if (!memo) return undefined;
    const age = now - memo.at;
    if (memo.read.view && memo.mark !== undefined && this.watch?.unchanged(memo.mark) && age < WATCHED_MEMO_MAX_MS) return memo.read;
    if (age < (memo.read.view ? this.memoMs : Math.max(this.memoMs, 5_000))) return memo.read;
    return undefined;
  }

  /** Concurrent callers share one query, so a burst of requests sees one answer (and one cache key). */
  read(): Promise<ModeRead> {
    const memoized = this.readMemoized();
    if (memoized) return Promise.resolve(memoized);
    this.inflight ??= this.query().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async query(): Promise<ModeRead> {
    const started = Date.now();
    this.watch?.start();
    // Taken before asking: an event after this point invalidates the answer, even one that races it.
    const mark = this.watch?.mark();
    let read: ModeRead;
    try {
      const view = await this.client.connection.withDeadline(started + READ_TIMEOUT_MS, () =>
        this.client.workflow.getHandle(this.workflowId).query(currentModeQuery),
      );
      read = { view };
    } catch (error) {
      const missingKeyId = missingKeyIdOf(error);
      const away = temporalUnreachableReason(error);
      const why = away ? `Temporal at ${this.config.temporal.address} ${{ timeout: 'did not answer in time', overloaded: 'is overloaded', unreachable: 'is not reachable' }[away]}` : (error as Error).message;
      read = { unavailable: `operation mode unavailable: ${why}`, ...(missingKeyId && { missingKeyId }) };
    }
    this.memo = { at: started, mark, read };
    return read;
  }

  async flag(name: KnownFeatureFlagName): Promise<FlagEvaluation & { view?: OperationModeView }> {
    const { view, unavailable } = await this.read();
    return { ...evaluateFlag(name, view, unavailable), ...(view && { view }) };
  }

  async flags(): Promise<Record<string, FlagEvaluation>> {
    const { view, unavailable } = await this.read();
    return evaluateAllFlags(view, unavailable);
  }

  state(): Promise<OperationModeState> {
    return this.client.workflow.getHandle(this.workflowId).query(operationModeStateQuery);
  }

  setOverride(request: OverrideRequest): Promise<ModeChangeResult> {
    return this.update(() => this.client.workflow.getHandle(this.workflowId).executeUpdate(setOverrideUpdate, { args: [request] }));
  }

  clearOverride(request: ClearOverrideRequest): Promise<ModeChangeResult> {
    return this.update(() => this.client.workflow.getHandle(this.workflowId).executeUpdate(clearOverrideUpdate, { args: [request] }));
  }

  reportHealth(check: HealthCheckResult): Promise<ModeChangeResult> {
    return this.update(() => this.client.workflow.getHandle(this.workflowId).executeUpdate(reportHealthUpdate, { args: [check] }));
  }

  reportBudget(report: BudgetReport): Promise<ModeChangeResult> {
    return this.update(() => this.client.workflow.getHandle(this.workflowId).executeUpdate(reportBudgetUpdate, { args: [report] }));
  }

  private async update(run: () => Promise<ModeChangeResult>): Promise<ModeChangeResult> {
    try {
      const result = await run();
      this.memo = undefined;
      return result;
    } catch (error) {
      const failure = applicationFailureOf(error);
      if (error instanceof WorkflowUpdateFailedError && failure) {
        throw new OperationModeRequestError(failure.message, (failure.details?.[0] as unknown[] | undefined) ?? []);
      }
      throw error;
    }
  }
}

import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { AnalysisCache } from '../shared/adapters/analysis-cache';
import type { AppConfig } from '../shared/config';
import type { DocumentStore } from '../shared/adapters/documents/document-store';
import { toHealthComponents } from '../shared/adapters/health/health-report';
import { probeAll } from '../shared/adapters/health/probes';
import type { HealthComponentResult } from '../shared/core/operation-mode/health-hysteresis';
import type { OperationMode } from '../shared/core/operation-mode/modes';
import { OperationModeClient } from '../shared/adapters/operation-mode-client';
import type { GateStore } from '../shared/adapters/gate-store';
import type { BudgetStore } from '../shared/adapters/budget-store';
import type { BudgetReport } from '../shared/core/operation-mode/budget-mode';
import { timeoutSignal, untilAborted } from '../shared/adapters/with-timeout';
import { reportGlobalBudget } from './spend-monitor';

export interface HealthCheckOutcome {
  components: HealthComponentResult[];
  mode: OperationMode;
  transitions: number;
  /** The global budget's level, when global limits are set. */
  budget?: BudgetReport;
}

export interface HealthActivityDeps {
  config: AppConfig;
  documents: DocumentStore;
  cache: AnalysisCache;
  gates: GateStore;
  budgets: BudgetStore;
  /** A client whose calls an AbortSignal cancels (the worker's native one cannot); default: the activity's. */
  abortableClient?: Client;
  /** Aborts when this process's workers begin to stop. */
  stopping?: AbortSignal;
}

export function createHealthActivities(deps: HealthActivityDeps) {
  return {
    /**
     * Probes what this worker sees and hands the result to the operation-mode workflow's hysteresis.
     * The report is an update, which needs a workflow worker to take it: on a worker that is stopping
     * (perhaps the only one) none may come, so the report gives up when the workers stop, when the
     * activity is cancelled, or at its start-to-close timeout, instead of holding the shutdown.
     */
    async checkHealthAndReport(): Promise<HealthCheckOutcome> {
      const context = Context.current();
      const components = toHealthComponents(await probeAll({ ...deps, client: context.client }));
      const giveUp = AbortSignal.any([timeoutSignal(context.info.startToCloseTimeoutMs), context.cancellationSignal, ...(deps.stopping ? [deps.stopping] : [])]);
      const client = deps.abortableClient ?? context.client;
      const report = async (): Promise<HealthCheckOutcome> => {
        const modes = new OperationModeClient(client, deps.config);
        await modes.ensureRunning();
        const result = await modes.reportHealth({ components });
        const budget = await reportGlobalBudget(deps.config, deps.budgets, modes);
        const mode = budget ? ((await modes.read()).view?.mode ?? result.mode) : result.mode;
        return { components, mode, transitions: result.transitions.length, ...(budget && { budget }) };
      };
      return untilAborted(giveUp, client.withAbortSignal(giveUp, report));
    },
  };
}

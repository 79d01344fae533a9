import { Context } from '@temporalio/activity';
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
import { reportGlobalBudget } from './spend-monitor';

export interface HealthCheckOutcome {
  components: HealthComponentResult[];
  mode: OperationMode;
  transitions: number;
  /** The global budget's level, when global limits are set. */
  budget?: BudgetReport;
}

export function createHealthActivities(deps: { config: AppConfig; documents: DocumentStore; cache: AnalysisCache; gates: GateStore; budgets: BudgetStore }) {
  return {
    /** Probes what this worker sees and hands the result to the operation-mode workflow's hysteresis. */
    async checkHealthAndReport(): Promise<HealthCheckOutcome> {
      const client = Context.current().client;
      const components = toHealthComponents(await probeAll({ ...deps, client }));
      const modes = new OperationModeClient(client, deps.config);
      await modes.ensureRunning();
      const result = await modes.reportHealth({ components });
      const budget = await reportGlobalBudget(deps.config, deps.budgets, modes);
      const mode = budget ? ((await modes.read()).view?.mode ?? result.mode) : result.mode;
      return { components, mode, transitions: result.transitions.length, ...(budget && { budget }) };
    },
  };
}

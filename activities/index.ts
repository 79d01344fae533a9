import type { AnalysisCache } from '../shared/adapters/analysis-cache';
import type { AnalysisResult } from '../shared/core/analysis-result';
import type { AppConfig } from '../shared/config';
import type { ProviderAttempt } from '../shared/core/job-types';
import type { DocumentStore } from '../shared/adapters/documents/document-store';
import { planProviderChain } from '../shared/core/providers/plan';
import type { GateStore } from '../shared/adapters/gate-store';
import type { BudgetStore } from '../shared/adapters/budget-store';
import type { OperationModeClient } from '../shared/adapters/operation-mode-client';
import { createHealthActivities, type HealthActivityDeps } from './health';
import { createLocalAnalysisActivities } from './local-analysis';
import { createProviderActivities } from './provider-call';
import { createProviderBatchActivities } from './provider-batch';

export interface ActivityDependencies extends Pick<HealthActivityDeps, 'abortableClient' | 'stopping'> {
  config: AppConfig;
  documents: DocumentStore;
  gates: GateStore;
  cache: AnalysisCache;
  budgets: BudgetStore;
  /** The operation mode as the provider activities read it; default: one per process on the activity's client, without a watch. */
  modes?: OperationModeClient;
}

export function createActivities(deps: ActivityDependencies) {
  return {
    ...createLocalAnalysisActivities(deps),
    ...createProviderActivities(deps),
    ...createProviderBatchActivities(deps),
    ...createHealthActivities(deps),
    /** Run as a local activity: the chain is decided by the worker holding the keys, then fixed in history. */
    async planProviderChain() {
      return planProviderChain(deps.config);
    },
    /** Local activity: a job started by anyone (API, batch, another process) is answered from the cache first. */
    async readCachedAnalysis({ key }: { key: string }): Promise<AnalysisResult | null> {
      return (await deps.cache.read(key)) ?? null;
    },
    async writeCachedAnalysis(input: { key: string; documentId: string; result: AnalysisResult; chain: ProviderAttempt[] }): Promise<boolean> {
      return deps.cache.write(input.key, input.documentId, input.result, input.chain);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

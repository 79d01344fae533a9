import type { AppConfig } from '../shared/config';
import type { DocumentStore } from '../shared/document-store';
import { planProviderChain } from '../shared/providers/plan';
import type { GateStore } from '../shared/resilience/gate-store';
import { createLocalAnalysisActivities } from './local-analysis';
import { createProviderActivities } from './provider-call';

export interface ActivityDependencies {
  config: AppConfig;
  documents: DocumentStore;
  gates: GateStore;
}

export function createActivities(deps: ActivityDependencies) {
  return {
    ...createLocalAnalysisActivities(deps),
    ...createProviderActivities(deps),
    /** Run as a local activity: the chain is decided by the worker holding the keys, then fixed in history. */
    async planProviderChain() {
      return planProviderChain(deps.config);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

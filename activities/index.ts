import type { DocumentStore } from '../shared/document-store';
import { createLocalAnalysisActivities } from './local-analysis';

export interface ActivityDependencies {
  documents: DocumentStore;
}

export function createActivities(deps: ActivityDependencies) {
  return {
    ...createLocalAnalysisActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

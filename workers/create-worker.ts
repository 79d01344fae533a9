import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { AppConfig } from '../shared/config';
import type { DocumentStore } from '../shared/document-store';

export interface AnalysisWorkerDeps {
  config: AppConfig;
  connection: NativeConnection;
  documents: DocumentStore;
  /** A prebuilt bundle (tests build one and share it); otherwise the worker bundles `workflows/`. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  taskQueue?: string;
}

export function createAnalysisWorker({ config, connection, documents, workflowBundle, taskQueue }: AnalysisWorkerDeps) {
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: taskQueue ?? config.temporal.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities({ documents }),
  });
}

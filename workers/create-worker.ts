/**
 * One worker process polls several task queues: the main queue (workflows, the local analyzer, the
 * chain plan) and one queue per remote provider. A provider queue's activity rate is limited by the
 * Temporal server across every worker (`maxTaskQueueActivitiesPerSecond` = rate_limit / 60), and each
 * process caps its own concurrent calls to that provider (the bulkhead). A provider without a server-side
 * limit is called from the main queue (shared/core/providers/plan.ts); its queue is still polled, for
 * jobs planned by a starter that set one.
 */
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { createActivities } from '../activities';
import type { AnalysisCache } from '../shared/adapters/analysis-cache';
import type { AppConfig } from '../shared/config';
import { dataConverterFor } from '../shared/adapters/data-converter';
import { OperationModeClient } from '../shared/adapters/operation-mode-client';
import { temporalConnectionOptions } from '../shared/adapters/temporal-client';
import type { DocumentStore } from '../shared/adapters/documents/document-store';
import { isRemoteProvider, providerTaskQueue } from '../shared/core/providers/plan';
import type { GateStore } from '../shared/adapters/gate-store';
import { createBudgetStore, type BudgetStore } from '../shared/adapters/budget-store';
import { WORKFLOW_TRACING_INTERCEPTORS, type Tracing } from '../shared/adapters/tracing';
import { workerDeploymentOptionsOf } from './deployment-version';
import { WORKFLOW_PRELOAD_MODULES } from './telemetry';
import { mainWorkerCapacity, providerWorkerCapacity } from './slot-options';

export interface AnalysisWorkerDeps {
  config: AppConfig;
  connection: NativeConnection;
  documents: DocumentStore;
  gates: GateStore;
  cache: AnalysisCache;
  /** Budget ledgers; default: Redis when REDIS_URL is set, else this process's own, closed when the workers stop. */
  budgets?: BudgetStore;
  /** A prebuilt bundle (tests build one and share it); otherwise the worker bundles `workflows/`. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Tracing interceptors and sink; a prebuilt bundle must already include WORKFLOW_TRACING_INTERCEPTORS. */
  tracing?: Pick<Tracing, 'workerOptions'>;
}

export interface WorkerSet {
  readonly taskQueues: string[];
  /** Resolves when every worker has stopped (after shutdown() or a signal). */
  run(): Promise<void>;
  shutdown(): void;
}

export async function createWorkerSet({ config, connection, documents, gates, cache, budgets, workflowBundle, tracing }: AnalysisWorkerDeps): Promise<WorkerSet> {
  const ownBudgets = budgets ? undefined : createBudgetStore({ redisUrl: config.redisUrl, taskQueue: config.temporal.taskQueue });
  // One reader of the operation mode for the process's provider activities, kept in step with the mode
  // workflow by following its history: no query per second per worker. Its own (lazy) client
  // connection: the worker's native one cannot abort a call, and the watch's long-poll must stop with it.
  const modesConnection = Connection.lazy(temporalConnectionOptions(config.temporal.address));
  const abortableClient = new Client({ connection: modesConnection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config) });
  const modes = new OperationModeClient(abortableClient, config, 1_000, { watch: true });
  // Activities that wait on a workflow (the health report's update) give up when the workers stop.
  const stopping = new AbortController();
  const stop = () => stopping.abort(new Error('the workers of this process are stopping'));
  const activities = createActivities({ config, documents, gates, cache, budgets: budgets ?? ownBudgets!, modes, abortableClient, stopping: stopping.signal });
  const deployment = workerDeploymentOptionsOf(config);
  const common = {
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverterFor(config),
    ...tracing?.workerOptions,
    ...(deployment && { workerDeploymentOptions: deployment }),
  };
  const workers: Worker[] = [
    await Worker.create({
      ...common,
      taskQueue: config.temporal.taskQueue,
      ...(workflowBundle
        ? { workflowBundle }
        : {
            workflowsPath: require.resolve('../workflows'),
            bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES },
            ...(tracing && { interceptors: { ...tracing.workerOptions.interceptors, workflowModules: [WORKFLOW_TRACING_INTERCEPTORS] } }),
          }),
      activities,
      ...mainWorkerCapacity(config.worker),
    }),
  ];
  for (const provider of config.providers.order.filter(isRemoteProvider)) {
    const settings = config.providers[provider];
    workers.push(
      await Worker.create({
        ...common,
        taskQueue: providerTaskQueue(config.temporal.taskQueue, provider),
        activities: { callProvider: activities.callProvider },
        ...(settings.rateLimitPerMinute > 0 && { maxTaskQueueActivitiesPerSecond: settings.rateLimitPerMinute / 60 }),
        ...providerWorkerCapacity(config.worker, settings.maxConcurrency),
      }),
    );
  }
  const shutdown = () => {
    stop();
    workers.forEach((worker) => worker.getState() === 'RUNNING' && worker.shutdown());
  };
  return {
    taskQueues: workers.map((worker) => worker.options.taskQueue),
    run: async () => {
      // The SDK's runtime shuts the workers down on SIGINT/SIGTERM; this hears the same signal.
      Runtime.instance().registerShutdownSignalCallback(stop);
      // If one worker dies, stop the others too: a process that half-works is harder to notice than one that exits.
      const runs = workers.map((worker) =>
        worker.run().catch((error: unknown) => {
          shutdown();
          throw error;
        }),
      );
      await Promise.all(runs).finally(async () => {
        Runtime.instance().deregisterShutdownSignalCallback(stop);
        await modes.close();
        await modesConnection.close();
        await ownBudgets?.close();
      });
    },
    shutdown,
  };
}

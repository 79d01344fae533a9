/** WorkerOptions for the configured capacity: fixed slot counts or the SDK's resource-based tuner, and the drain time. */
import type { WorkerOptions } from '@temporalio/worker';
import type { AppConfig } from '../shared/config';

type CapacityOptions = Pick<
  WorkerOptions,
  'tuner' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentLocalActivityExecutions' | 'shutdownGraceTime'
>;

/** For the main-queue worker (workflows, local analyzer, local activities). */
export function mainWorkerCapacity({ slots, shutdownGraceMs }: AppConfig['worker']): CapacityOptions {
  if (slots.tuner === 'fixed') {
    return {
      maxConcurrentWorkflowTaskExecutions: slots.workflowTasks,
      maxConcurrentActivityTaskExecutions: slots.activities,
      maxConcurrentLocalActivityExecutions: slots.localActivities,
      shutdownGraceTime: shutdownGraceMs,
    };
  }
  return {
    tuner: { tunerOptions: { targetMemoryUsage: slots.targetMemoryUsage, targetCpuUsage: slots.targetCpuUsage } },
    shutdownGraceTime: shutdownGraceMs,
  };
}

/** For a provider queue's worker: its bulkhead stays a fixed count whatever the main worker's tuner. */
export function providerWorkerCapacity({ shutdownGraceMs }: AppConfig['worker'], maxConcurrency: number): CapacityOptions {
  return { maxConcurrentActivityTaskExecutions: maxConcurrency, shutdownGraceTime: shutdownGraceMs };
}

/**
 * Worker deployment versioning (WORKER_DEPLOYMENT_NAME + WORKER_BUILD_ID): a worker serves only the
 * runs of its own build, so a release rolls out while runs started on the old build finish there.
 * Runs are PINNED to the build that started them unless their workflow says otherwise (the
 * operation-mode entity is AUTO_UPGRADE: it lives for ever and must move to new code).
 */
import type { WorkerDeploymentOptions } from '@temporalio/worker';
import type { AppConfig } from '../shared/config';

export function workerDeploymentOptionsOf(config: AppConfig): WorkerDeploymentOptions | undefined {
  if (!config.workerDeployment) return undefined;
  return { version: config.workerDeployment, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' };
}

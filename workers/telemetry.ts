/**
 * The worker process's Temporal Runtime: every SDK, workflow, activity and Core log line goes to the
 * process's pino logger, and with WORKER_METRICS_PORT set the Core runtime serves the SDK's metrics
 * (plus the activities' custom ones) at http://WORKER_METRICS_HOST:WORKER_METRICS_PORT/metrics in
 * Prometheus form: `_total` counters, durations in seconds with the unit in the name.
 */
import { bundleWorkflowCode, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { AppConfig } from '../shared/config';
import { dataConverterFor } from '../shared/adapters/data-converter';
import type { Logger } from '../shared/adapters/logging/logger';
import { isAddressInUse, portInUseMessage, StartupProblem } from '../shared/adapters/startup-problem';
import { BundlerLogger, forwardedCoreLogging, PinoSdkLogger } from '../shared/adapters/logging/sdk-logger';
import { PROVIDER_DURATION_BUCKETS, PROVIDER_METRICS } from '../activities/provider-metrics';

export function installWorkerRuntime(config: AppConfig, logger: Logger): void {
  try {
    installRuntime(config, logger);
  } catch (error) {
    if (config.workerMetrics && isAddressInUse(error)) {
      throw new StartupProblem(portInUseMessage('worker', 'metrics port', config.workerMetrics.port, 'WORKER_METRICS_PORT'));
    }
    throw error;
  }
}

function installRuntime(config: AppConfig, logger: Logger): void {
  const metrics = config.workerMetrics;
  Runtime.install({
    logger: new PinoSdkLogger(logger),
    telemetryOptions: {
      logging: forwardedCoreLogging(config.logLevel),
      ...(metrics && {
        metrics: {
          prometheus: {
            bindAddress: `${metrics.host}:${metrics.port}`,
            countersTotalSuffix: true,
            unitSuffix: true,
            useSecondsForDurations: true,
            histogramBucketOverrides: { [PROVIDER_METRICS.duration]: PROVIDER_DURATION_BUCKETS },
          },
        },
      }),
    },
  });
}

/**
 * Evaluated once per worker thread's reusable V8 context and shared by every run, instead of once per
 * run: the SDK's workflow API and this project's workflow modules, which keep no state at module scope
 * (only constants, signal/query definitions and activity proxies that find the current run when called).
 * Their exports are frozen by the SDK. A module that keeps per-run state must not be reachable from here.
 */
export const WORKFLOW_PRELOAD_MODULES = ['@temporalio/workflow', require.resolve('../workflows')];

/** The workflow bundle, built with a logger that keeps webpack's statistics at debug. */
export function bundleWorkflows(config: AppConfig, logger: Logger, workflowInterceptorModules: string[] = []): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    failureConverterPath: dataConverterFor(config)?.failureConverterPath,
    workflowInterceptorModules,
    preloadModules: WORKFLOW_PRELOAD_MODULES,
    logger: new BundlerLogger(logger),
  });
}

import { Client, type ClientInterceptors, type ConnectionOptions } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import type { AppConfig } from '../config';
import { dataConverterFor } from './data-converter';
import type { Logger } from './logging/logger';
import { forwardedCoreLogging, PinoSdkLogger } from './logging/sdk-logger';
import { boundedRetryInterceptor } from './temporal/bounded-retry';
import { CoreConnection } from './temporal/core-connection';

/**
 * How long the API's connection keeps retrying an unreachable server before the request is answered
 * 503: about a second, inside the deadline below, so the failure is the connection's own UNAVAILABLE.
 */
export const API_TEMPORAL_RETRY_BUDGET_MS = 1_000;
/**
 * How long a request waits for a Temporal that accepts connections but does not answer (beyond a long
 * poll's own wait). Generous: a loaded server that starts a workflow in 3 s must not be reported away.
 */
export const API_TEMPORAL_TIMEOUT_MS = 10_000;
/** What a client is told to wait while Temporal is away: about one dev-server restart. */
export const TEMPORAL_RETRY_AFTER_SECONDS = 3;

/**
 * Connection settings for a process that must notice Temporal leaving and coming back within seconds:
 * retries of an unreachable server end after `giveUpAfterMs` (the SDK's default policy takes 15–20 s),
 * and reconnects are tried at least every second (gRPC's default backoff grows to two minutes).
 */
export function temporalConnectionOptions(address: string, { giveUpAfterMs }: { giveUpAfterMs?: number } = {}): ConnectionOptions {
  return {
    address,
    interceptors: [boundedRetryInterceptor({ giveUpAfterMs })],
    channelArgs: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 1_000 },
  };
}

/**
 * The API's client, over the SDK's Rust core (`CoreConnection`). Lazy: the API starts, and answers 503,
 * while Temporal is away; it connects on first use.
 */
export function connectTemporalClient(config: AppConfig, interceptors?: ClientInterceptors): Client {
  const connection = new CoreConnection({
    address: config.temporal.address,
    giveUpAfterMs: API_TEMPORAL_RETRY_BUDGET_MS,
    grpcCompression: config.temporal.grpcCompression,
  });
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config), interceptors });
}

/**
 * The Core runtime of a process that only uses a client (the API): its log lines go to the process's
 * logger, and it leaves SIGINT/SIGTERM to the process (it has no worker to drain).
 */
export function installClientRuntime(config: AppConfig, logger: Logger): void {
  Runtime.install({
    logger: new PinoSdkLogger(logger),
    shutdownSignals: [],
    telemetryOptions: { logging: forwardedCoreLogging(config.logLevel) },
  });
}

/** The Temporal UI page of one run. */
export function temporalUiRunUrl(config: AppConfig, workflowId: string, runId?: string): string {
  const base = `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}

import { Client, Connection, type ClientInterceptors } from '@temporalio/client';
import type { AppConfig } from '../config';
import { dataConverterFor } from './data-converter';

/**
 * A client whose connection is made on first use, so a process can start before Temporal does.
 * gRPC reconnects by itself; the cap on its backoff makes a server that comes (back) up noticed within seconds.
 */
export function createTemporalClient(config: AppConfig, interceptors?: ClientInterceptors): Client {
  const connection = Connection.lazy({ address: config.temporal.address, channelArgs: { 'grpc.max_reconnect_backoff_ms': 5_000 } });
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config), interceptors });
}

/** The Temporal UI page of one run. */
export function temporalUiRunUrl(config: AppConfig, workflowId: string, runId?: string): string {
  const base = `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}

import { Client, Connection, type ClientInterceptors } from '@temporalio/client';
import type { AppConfig } from '../config';
import { dataConverterFor } from './data-converter';

/** Lazy: the API starts while Temporal is away and connects on first use (gRPC reconnects; its backoff is capped at 5 s). */
export async function connectTemporalClient(config: AppConfig, interceptors?: ClientInterceptors): Promise<Client> {
  const connection = Connection.lazy({ address: config.temporal.address, channelArgs: { 'grpc.max_reconnect_backoff_ms': 5_000 } });
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config), interceptors });
}

/** The Temporal UI page of one run. */
export function temporalUiRunUrl(config: AppConfig, workflowId: string, runId?: string): string {
  const base = `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}

import { Client, Connection, type ClientInterceptors } from '@temporalio/client';
import type { AppConfig } from '../config';
import { dataConverterFor } from './data-converter';

export async function connectTemporalClient(config: AppConfig, interceptors?: ClientInterceptors): Promise<Client> {
  const connection = await Connection.connect({ address: config.temporal.address });
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config), interceptors });
}

/** The Temporal UI page of one run. */
export function temporalUiRunUrl(config: AppConfig, workflowId: string, runId?: string): string {
  const base = `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}

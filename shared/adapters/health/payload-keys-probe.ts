/**
 * Are the payload keys history needs configured here? Two signs: keys of sealed payloads this process
 * met and could not open (recently), and the key that sealed the operation-mode entity's current run,
 * read from its first history event (one small read, and that run is what every mode read replays).
 */
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { AppConfig } from '../../config';
import { operationModeWorkflowId } from '../../core/operation-mode/messages';
import { createPayloadCodec, sealingKeyIdsOf, type MissingKeySightings } from '../payload-codec';
import type { HealthCheck } from './health-report';
import { withTimeout } from '../with-timeout';

/** A key missing this long ago and not since is no longer reported (it was put back, or the run moved on). */
export const MISSING_KEY_MEMORY_MS = 10 * 60_000;
const PROBE_TIMEOUT_MS = 2_000;

export interface PayloadKeysProbeDeps {
  config: AppConfig;
  client: Client;
  sightings: MissingKeySightings;
}

export async function probePayloadKeys({ config, client, sightings }: PayloadKeysProbeDeps, nowMs = Date.now()): Promise<HealthCheck> {
  const { payloadEncryptionKeys, payloadDecryptOnlyKeys } = config.security;
  const codec = createPayloadCodec({ encryptionKeys: payloadEncryptionKeys, decryptOnlyKeys: payloadDecryptOnlyKeys });
  const configured = new Set(codec.keyIds);
  const needed = await withTimeout(keysSealingModeRun(client, config), PROBE_TIMEOUT_MS).catch(() => [] as string[]);
  const seen = [...sightings.seenSince(nowMs - MISSING_KEY_MEMORY_MS), ...needed];
  const missing = [...new Set(seen.filter((keyId) => !configured.has(keyId)))].sort();
  const observedValue = { encryptsWith: codec.encryptionKeyId ?? null, decrypts: [...configured].sort(), missing };
  const time = new Date(nowMs).toISOString();
  if (missing.length === 0) return { status: 'pass', critical: false, componentType: 'component', observedValue, time };
  return {
    status: 'fail',
    critical: false,
    componentType: 'component',
    observedValue,
    output: `payloads in Temporal history are encrypted with ${missing.map((keyId) => `"${keyId}"`).join(', ')}, not configured here: add ${missing.length > 1 ? 'them' : 'it'} to PAYLOAD_DECRYPT_ONLY_KEYS (or PAYLOAD_ENCRYPTION_KEYS)`,
    time,
  };
}

async function keysSealingModeRun(client: Client, config: AppConfig): Promise<string[]> {
  const response = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: operationModeWorkflowId(config.temporal.taskQueue) },
    maximumPageSize: 1,
  });
  const input = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  return sealingKeyIdsOf(input as Payload[]);
}

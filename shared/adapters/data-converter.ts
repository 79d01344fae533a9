/**
 * With PAYLOAD_ENCRYPTION_KEYS set, every payload (workflow input, results, activity arguments) and
 * every failure's message and stack are AES-GCM encrypted before they reach Temporal, so document text
 * never sits in history in plaintext. Clients and workers must use the same converter.
 */
import type { DataConverter } from '@temporalio/common';
import type { AppConfig } from '../config';
import { createPayloadCodec } from './payload-codec';

export function dataConverterFor(config: AppConfig): DataConverter | undefined {
  const codec = createPayloadCodec(config.security.payloadEncryptionKeys);
  if (!codec) return undefined;
  return { payloadCodecs: [codec], failureConverterPath: ENCRYPTING_FAILURE_CONVERTER_PATH };
}

/** For bundleWorkflowCode: a prebuilt bundle must carry the same failure converter. */
export const ENCRYPTING_FAILURE_CONVERTER_PATH = require.resolve('../core/failure-converter');

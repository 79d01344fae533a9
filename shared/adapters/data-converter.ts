/**
 * With PAYLOAD_ENCRYPTION_KEYS set, every payload (workflow input, results, activity arguments) and
 * every failure's message and stack are AES-GCM encrypted before they reach Temporal, so document text
 * never sits in history in plaintext. Clients and workers must use the same converter.
 */
import type { DataConverter } from '@temporalio/common';
import type { AppConfig } from '../config';
import { createPayloadCodec, missingKeySightings } from './payload-codec';

/**
 * Always with the codec, keys or not: without it a sealed payload in history (written before the keys
 * were removed) fails deep in the converter as "Unknown encoding", or as a nondeterminism error in a
 * workflow; with it, the workflow task or the API read fails with the missing key's id, and retries
 * succeed once the key is back (in either key list).
 */
export function dataConverterFor(config: AppConfig): DataConverter {
  const { payloadEncryptionKeys, payloadDecryptOnlyKeys } = config.security;
  const codec = createPayloadCodec({ encryptionKeys: payloadEncryptionKeys, decryptOnlyKeys: payloadDecryptOnlyKeys }, missingKeySightings);
  return { payloadCodecs: [codec], ...(payloadEncryptionKeys && { failureConverterPath: ENCRYPTING_FAILURE_CONVERTER_PATH }) };
}

/** For bundleWorkflowCode: a prebuilt bundle must carry the same failure converter. */
export const ENCRYPTING_FAILURE_CONVERTER_PATH = require.resolve('../core/failure-converter');

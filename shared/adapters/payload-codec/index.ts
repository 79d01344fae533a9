import { AesGcmPayloadCodec } from './aes-gcm-codec';
import { keyRingOf } from './keys';
import type { MissingKeySightings } from './missing-keys';

export {
  AesGcmPayloadCodec,
  CIPHER,
  ENCRYPTED_ENCODING,
  METADATA_CIPHER_KEY,
  missingKeyIdOf,
  sealingKeyIdsOf,
  METADATA_KEY_ID_KEY,
  UndecodablePayloadError,
  type UndecodableReason,
} from './aes-gcm-codec';
export { KEY_BYTES, KEY_ID_PATTERN, KeyRingError, keyRingOf, parseKeyRing, type KeyRing, type KeyRingProblem } from './keys';
export { MissingKeySightings, missingKeySightings } from './missing-keys';
export { jsonPayloadsSchema, payloadFromJson, payloadToJson, type JsonPayload } from './json-payloads';

export interface PayloadKeyLists {
  /** PAYLOAD_ENCRYPTION_KEYS: the first seals new payloads, all open old ones. */
  encryptionKeys?: string;
  /** PAYLOAD_DECRYPT_ONLY_KEYS: open old payloads only. */
  decryptOnlyKeys?: string;
}

/**
 * The codec for the configured keys. There is always one, even with no key at all: it lets plaintext
 * through and turns a sealed payload it cannot open into an error naming the missing key id.
 */
export function createPayloadCodec(lists: PayloadKeyLists, sightings?: MissingKeySightings): AesGcmPayloadCodec {
  const blank = (raw: string | undefined) => (raw === undefined || raw.trim() === '' ? undefined : raw);
  return new AesGcmPayloadCodec(keyRingOf({ encryptionKeys: blank(lists.encryptionKeys), decryptOnlyKeys: blank(lists.decryptOnlyKeys) }), sightings);
}

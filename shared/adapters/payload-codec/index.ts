import { AesGcmPayloadCodec } from './aes-gcm-codec';
import { parseKeyRing } from './keys';

export {
  AesGcmPayloadCodec,
  CIPHER,
  ENCRYPTED_ENCODING,
  METADATA_CIPHER_KEY,
  METADATA_KEY_ID_KEY,
  UndecodablePayloadError,
  type UndecodableReason,
} from './aes-gcm-codec';
export { KEY_BYTES, KEY_ID_PATTERN, KeyRingError, parseKeyRing, type KeyRing, type KeyRingProblem } from './keys';
export { jsonPayloadsSchema, payloadFromJson, payloadToJson, type JsonPayload } from './json-payloads';

/** The codec for a PAYLOAD_ENCRYPTION_KEYS value; undefined when none is set (payloads stay plaintext). */
export function createPayloadCodec(raw: string | undefined): AesGcmPayloadCodec | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  return new AesGcmPayloadCodec(parseKeyRing(raw));
}

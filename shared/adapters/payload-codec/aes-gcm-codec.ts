/**
 * Encrypts whole Temporal payloads (metadata included, so not even the payload's encoding shows) with
 * AES-256-GCM. Encrypted payloads say which key sealed them; decode picks that key from the ring, so a
 * rotated-out key keeps working for old history as long as it stays in the ring. A ring without an
 * encrypting key leaves new payloads plaintext and still recognizes sealed ones: a payload whose key is
 * not in the ring fails with an error naming the key id (never "Unknown encoding"), and is reported.
 */
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { open, seal } from './aes-gcm';
import type { KeyRing } from './keys';
import type { MissingKeySightings } from './missing-keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID_KEY = 'encryption-key-id';
export const METADATA_CIPHER_KEY = 'encryption-cipher';
export const CIPHER = 'AES256GCM';

export type UndecodableReason = 'unknown_key' | 'unsupported_cipher' | 'tampered';

/** A payload marked encrypted that this codec cannot decrypt; says why, never with key material. */
export class UndecodablePayloadError extends Error {
  constructor(
    readonly reason: UndecodableReason,
    message: string,
    /** The id of the key the payload names (only for `unknown_key`); ids are not secret. */
    readonly keyId?: string,
  ) {
    super(message);
    this.name = 'UndecodablePayloadError';
  }
}

const ProtoPayload = temporal.api.common.v1.Payload;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(
    private readonly ring: KeyRing,
    /** Where key ids of payloads this codec could not open are recorded (for the health report). */
    private readonly sightings?: MissingKeySightings,
  ) {}

  get encryptionKeyId(): string | undefined {
    return this.ring.encryptionKeyId;
  }

  get keyIds(): string[] {
    return [...this.ring.keys.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.ring.encryptionKeyId;
    if (keyId === undefined) return payloads;
    const key = this.ring.keys.get(keyId)!;
    return payloads.map((payload) => ({
      metadata: {
        [METADATA_ENCODING_KEY]: utf8Encoder.encode(ENCRYPTED_ENCODING),
        [METADATA_KEY_ID_KEY]: utf8Encoder.encode(keyId),
        [METADATA_CIPHER_KEY]: utf8Encoder.encode(CIPHER),
      },
      data: seal(key, ProtoPayload.encode(payload).finish()),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload, index) => this.decodeOne(payload, index));
  }

  private decodeOne(payload: Payload, index: number): Payload {
    if (metadataText(payload, METADATA_ENCODING_KEY) !== ENCRYPTED_ENCODING) return payload;

    const cipher = metadataText(payload, METADATA_CIPHER_KEY);
    if (cipher !== CIPHER) {
      throw new UndecodablePayloadError('unsupported_cipher', `payload ${index}: cipher ${quote(cipher)} is not ${CIPHER}`);
    }
    const keyId = metadataText(payload, METADATA_KEY_ID_KEY);
    const key = keyId === undefined ? undefined : this.ring.keys.get(keyId);
    if (!key) {
      if (keyId !== undefined) this.sightings?.record(keyId);
      throw new UndecodablePayloadError('unknown_key', missingKeyMessage(keyId, index), keyId);
    }
    const plaintext = open(key, payload.data ?? new Uint8Array(0));
    const decoded = plaintext && decodeProtoPayload(plaintext);
    if (!decoded) {
      throw new UndecodablePayloadError('tampered', `payload ${index}: authentication failed (corrupted, tampered with, or sealed under another key)`);
    }
    return decoded;
  }
}

function missingKeyMessage(keyId: string | undefined, index: number): string {
  if (keyId === undefined) return `payload ${index} is encrypted but names no key id`;
  return (
    `payload ${index} is encrypted with key ${quote(keyId)}, which is not configured: ` +
    `put it back in PAYLOAD_ENCRYPTION_KEYS or PAYLOAD_DECRYPT_ONLY_KEYS (decrypt-only keys open old payloads and seal nothing)`
  );
}

function metadataText(payload: Payload, key: string): string | undefined {
  const value = payload.metadata?.[key];
  return value ? utf8Decoder.decode(value) : undefined;
}

/** A plain Payload rather than protobufjs's Message, whose defaults live on its prototype. */
function decodeProtoPayload(bytes: Uint8Array): Payload | undefined {
  try {
    const message = ProtoPayload.decode(bytes);
    return {
      metadata: Object.fromEntries(Object.entries(message.metadata)),
      data: message.data instanceof Uint8Array ? message.data : new Uint8Array(message.data),
      ...(message.externalPayloads.length > 0 ? { externalPayloads: message.externalPayloads } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Metadata comes from whoever wrote the payload: bounded and escaped before it goes into a message. */
function quote(value: string | undefined): string {
  if (value === undefined) return '(none)';
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

const MISSING_KEY_IN_MESSAGE = /is encrypted with key "([A-Za-z0-9._-]{1,64})", which is not configured/;

/**
 * The id of the missing key behind an error, if that is what it is: our own error thrown in this
 * process, or its message carried back from a worker (a failed query or workflow task) in any cause.
 */
export function missingKeyIdOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    if (current instanceof UndecodablePayloadError && current.reason === 'unknown_key' && current.keyId) return current.keyId;
    const quoted = MISSING_KEY_IN_MESSAGE.exec(current.message)?.[1];
    if (quoted) return quoted;
  }
  return undefined;
}

/** Ids of the keys that sealed these payloads (plaintext ones name none). */
export function sealingKeyIdsOf(payloads: readonly Payload[]): string[] {
  const ids = payloads
    .filter((payload) => metadataText(payload, METADATA_ENCODING_KEY) === ENCRYPTED_ENCODING)
    .map((payload) => metadataText(payload, METADATA_KEY_ID_KEY))
    .filter((keyId): keyId is string => keyId !== undefined);
  return [...new Set(ids)];
}

/**
 * Encrypts whole Temporal payloads (metadata included, so not even the payload's encoding shows) with
 * AES-256-GCM. Encrypted payloads say which key sealed them; decode picks that key from the ring, so a
 * rotated-out key keeps working for old history as long as it stays in the ring.
 */
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { open, seal } from './aes-gcm';
import type { KeyRing } from './keys';

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
  ) {
    super(message);
    this.name = 'UndecodablePayloadError';
  }
}

const ProtoPayload = temporal.api.common.v1.Payload;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {}

  get encryptionKeyId(): string {
    return this.ring.encryptionKeyId;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.ring.encryptionKeyId;
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
      throw new UndecodablePayloadError('unknown_key', `payload ${index}: no decryption key with id ${quote(keyId)} is configured`);
    }
    const plaintext = open(key, payload.data ?? new Uint8Array(0));
    const decoded = plaintext && decodeProtoPayload(plaintext);
    if (!decoded) {
      throw new UndecodablePayloadError('tampered', `payload ${index}: authentication failed (corrupted, tampered with, or sealed under another key)`);
    }
    return decoded;
  }
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

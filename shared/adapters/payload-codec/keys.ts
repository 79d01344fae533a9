/**
 * The payload-encryption key ring, parsed from `keyId:base64key[,keyId:base64key...]`. The first key
 * encrypts; every key decrypts, so payloads written before a rotation stay readable while the old key
 * is still listed. Decrypt-only keys (a second list) open old payloads and never seal new ones: the
 * retirement step before a key is dropped, and the way to turn encryption off without losing history.
 *
 * Error messages name the entry by position and never quote it: a malformed entry may be nothing but
 * key material (a key pasted without its id, id and key swapped), and these messages end up in logs.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';

export const KEY_BYTES = 32;
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** Standard base64 with padding; Buffer.from(…, 'base64') alone would silently skip stray characters. */
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface KeyRing {
  /** The key new payloads are encrypted with: the first one listed; undefined: new payloads stay plaintext. */
  readonly encryptionKeyId: string | undefined;
  /** KeyObjects rather than Buffers, so logging the ring by mistake prints no key bytes. */
  readonly keys: ReadonlyMap<string, KeyObject>;
}

export type KeyRingProblem =
  | 'empty'
  | 'malformed_entry'
  | 'invalid_key_id'
  | 'duplicate_key_id'
  | 'decrypt_only_key_encrypts'
  | 'invalid_base64'
  | 'wrong_key_length';

export class KeyRingError extends Error {
  constructor(
    readonly problem: KeyRingProblem,
    message: string,
  ) {
    super(message);
    this.name = 'KeyRingError';
  }
}

export function parseKeyRing(raw: string): KeyRing & { encryptionKeyId: string } {
  const keys = parseKeyList(raw);
  return { encryptionKeyId: keys.keys().next().value!, keys };
}

/**
 * The ring of a process: the encrypting list (its first key seals) and the decrypt-only list. Either may
 * be absent; with neither, nothing is sealed and any sealed payload met is reported by its key id.
 */
export function keyRingOf(lists: { encryptionKeys?: string; decryptOnlyKeys?: string }): KeyRing {
  const encrypting = lists.encryptionKeys ? parseKeyRing(lists.encryptionKeys) : undefined;
  const decryptOnly = lists.decryptOnlyKeys ? parseKeyList(lists.decryptOnlyKeys) : new Map<string, KeyObject>();
  for (const keyId of decryptOnly.keys()) {
    if (encrypting?.keys.has(keyId)) {
      throw new KeyRingError('decrypt_only_key_encrypts', `key id "${keyId}" is listed both as an encryption key and as decrypt-only`);
    }
  }
  return { encryptionKeyId: encrypting?.encryptionKeyId, keys: new Map([...(encrypting?.keys ?? []), ...decryptOnly]) };
}

function parseKeyList(raw: string): Map<string, KeyObject> {
  const entries = raw.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) {
    throw new KeyRingError('empty', 'the key ring lists no keys (expected keyId:base64key[,keyId:base64key...])');
  }
  const keys = new Map<string, KeyObject>();
  entries.forEach((entry, index) => {
    const [keyId, key] = parseEntry(entry, index + 1);
    if (keys.has(keyId)) {
      throw new KeyRingError('duplicate_key_id', `key entry ${index + 1}: key id "${keyId}" is listed more than once`);
    }
    keys.set(keyId, key);
  });
  return keys;
}

function parseEntry(entry: string, position: number): [string, KeyObject] {
  const parts = entry.split(':');
  if (parts.length !== 2) {
    throw new KeyRingError('malformed_entry', `key entry ${position} is not of the form keyId:base64key`);
  }
  const [keyId, encodedKey] = parts.map((part) => part.trim()) as [string, string];
  if (!KEY_ID_PATTERN.test(keyId)) {
    throw new KeyRingError('invalid_key_id', `key entry ${position}: the key id must match ${KEY_ID_PATTERN}`);
  }
  if (encodedKey === '' || !BASE64_PATTERN.test(encodedKey)) {
    throw new KeyRingError('invalid_base64', `key "${keyId}" is not valid base64`);
  }
  const bytes = Buffer.from(encodedKey, 'base64');
  if (bytes.length !== KEY_BYTES) {
    throw new KeyRingError('wrong_key_length', `key "${keyId}" decodes to ${bytes.length} bytes; AES-256 needs ${KEY_BYTES}`);
  }
  const key = createSecretKey(bytes);
  bytes.fill(0);
  return [keyId, key];
}

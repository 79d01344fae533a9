import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { Payload } from '@temporalio/common';
import { rejection } from '../helpers/assertions';
import {
  AesGcmPayloadCodec,
  createPayloadCodec,
  KeyRingError,
  keyRingOf,
  missingKeyIdOf,
  MissingKeySightings,
  parseKeyRing,
  sealingKeyIdsOf,
  UndecodablePayloadError,
  type KeyRingProblem,
} from '../../shared/adapters/payload-codec';

const MARKER = 'CONFIDENTIAL-DOCUMENT-MARKER-4b9e';
const newKey = () => randomBytes(32).toString('base64');
const K1 = newKey();
const K2 = newKey();

const utf8 = (text: string) => new TextEncoder().encode(text);
const payload = (metadata: Record<string, string>, data?: Uint8Array): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, utf8(value)])),
  ...(data ? { data } : {}),
});

/** Compares payloads by content: protobuf gives back Buffers, and absent bytes as empty ones. */
function comparable(value: Payload) {
  return {
    metadata: Object.fromEntries(Object.entries(value.metadata ?? {}).map(([key, bytes]) => [key, Buffer.from(bytes).toString()])),
    data: Buffer.from(value.data ?? []).toString('hex'),
  };
}

const samplePayloads = (): Payload[] => [
  payload({ encoding: 'json/plain' }, utf8(JSON.stringify({ content: MARKER, words: 3 }))),
  payload({ encoding: 'binary/null' }),
  payload({ encoding: 'json/plain', messageType: 'analysis' }, new Uint8Array(0)),
  payload({ encoding: 'binary/plain' }, randomBytes(4096)),
];

function containsBytes(haystack: Uint8Array, needle: string): boolean {
  return Buffer.from(haystack).includes(Buffer.from(needle));
}

function assertMentionsNoKeyMaterial(error: Error, materials: string[]): void {
  const everything = `${error.message}\n${error.stack}\n${inspect(error)}`;
  for (const material of materials) {
    if (material.length === 0) continue;
    assert.ok(!everything.includes(material), `error leaks key material: ${error.message}`);
    const hex = Buffer.from(material, 'base64').toString('hex');
    if (hex.length > 0) assert.ok(!everything.includes(hex), `error leaks key bytes: ${error.message}`);
  }
}

describe('AesGcmPayloadCodec', () => {
  const codec = new AesGcmPayloadCodec(parseKeyRing(`k1:${K1}`));

  it('round-trips json, null, empty and binary payloads', async () => {
    const originals = samplePayloads();
    const decoded = await codec.decode(await codec.encode(originals));
    assert.deepEqual(decoded.map(comparable), originals.map(comparable));
  });

  it('marks encrypted payloads with the encoding, key id and cipher, hiding the original metadata', async () => {
    const [encoded] = await codec.encode([payload({ encoding: 'json/plain' }, utf8('"x"'))]);
    assert.deepEqual(comparable(encoded!).metadata, {
      encoding: 'binary/encrypted',
      'encryption-key-id': 'k1',
      'encryption-cipher': 'AES256GCM',
    });
  });

  it('leaves no plaintext in the encrypted payload', async () => {
    const [encoded] = await codec.encode([payload({ encoding: 'json/plain', note: MARKER }, utf8(`{"text":"${MARKER}"}`))]);
    assert.ok(!containsBytes(encoded!.data!, MARKER));
    assert.ok(!containsBytes(encoded!.data!, 'json/plain'));
    for (const value of Object.values(encoded!.metadata!)) assert.ok(!containsBytes(value, MARKER));
  });

  it('uses a fresh IV for every encode of the same payload', async () => {
    const original = payload({ encoding: 'json/plain' }, utf8(MARKER));
    const [first] = await codec.encode([original]);
    const [second] = await codec.encode([original]);
    assert.notDeepEqual(Buffer.from(first!.data!.subarray(0, 12)), Buffer.from(second!.data!.subarray(0, 12)));
    assert.notDeepEqual(Buffer.from(first!.data!), Buffer.from(second!.data!));
  });

  it('after a rotation, encrypts with the new first key and still decrypts with the old one', async () => {
    const before = new AesGcmPayloadCodec(parseKeyRing(`k1:${K1}`));
    const after = new AesGcmPayloadCodec(parseKeyRing(`k2:${K2},k1:${K1}`));
    const original = payload({ encoding: 'json/plain' }, utf8(MARKER));

    const [oldEncrypted] = await before.encode([original]);
    assert.deepEqual((await after.decode([oldEncrypted!])).map(comparable), [comparable(original)]);

    const [newEncrypted] = await after.encode([original]);
    assert.equal(comparable(newEncrypted!).metadata['encryption-key-id'], 'k2');
    assert.equal(after.encryptionKeyId, 'k2');
    await rejection(before.decode([newEncrypted!]));
  });

  it('refuses a payload sealed under an unknown key id, naming the id and never a key', async () => {
    const [encoded] = await codec.encode([payload({ encoding: 'json/plain' }, utf8(MARKER))]);
    const other = new AesGcmPayloadCodec(parseKeyRing(`k2:${K2}`));
    const error = await rejection(other.decode([encoded!]));
    assert.ok(error instanceof UndecodablePayloadError);
    assert.equal(error.reason, 'unknown_key');
    assert.match(error.message, /"k1"/);
    assertMentionsNoKeyMaterial(error, [K1, K2]);
  });

  it('refuses tampered IV, ciphertext, tag or truncated data', async () => {
    const [encoded] = await codec.encode([payload({ encoding: 'json/plain' }, utf8(MARKER))]);
    const sealed = Buffer.from(encoded!.data!);
    const flipAt = (index: number) => {
      const copy = Buffer.from(sealed);
      copy[index]! ^= 0x01;
      return copy;
    };
    const variants = [flipAt(0), flipAt(20), flipAt(sealed.length - 1), sealed.subarray(0, sealed.length - 1), sealed.subarray(0, 10)];
    for (const data of variants) {
      const error = await rejection(codec.decode([{ ...encoded!, data }]));
      assert.ok(error instanceof UndecodablePayloadError);
      assert.equal(error.reason, 'tampered');
    }
  });

  it('refuses a payload whose key id was rewritten to another configured key', async () => {
    const ring = new AesGcmPayloadCodec(parseKeyRing(`k1:${K1},k2:${K2}`));
    const [encoded] = await ring.encode([payload({ encoding: 'json/plain' }, utf8(MARKER))]);
    const relabelled = { ...encoded!, metadata: { ...encoded!.metadata, 'encryption-key-id': utf8('k2') } };
    const error = await rejection(ring.decode([relabelled]));
    assert.equal((error as UndecodablePayloadError).reason, 'tampered');
  });

  it('refuses an encrypted payload with another cipher', async () => {
    const [encoded] = await codec.encode([payload({ encoding: 'json/plain' }, utf8(MARKER))]);
    const other = { ...encoded!, metadata: { ...encoded!.metadata, 'encryption-cipher': utf8('ROT13') } };
    const error = await rejection(codec.decode([other]));
    assert.equal((error as UndecodablePayloadError).reason, 'unsupported_cipher');
  });

  it('passes payloads that are not encrypted through decode untouched', async () => {
    const plain = samplePayloads();
    const decoded = await codec.decode(plain);
    plain.forEach((original, index) => assert.equal(decoded[index], original));
  });
});

describe('parseKeyRing', () => {
  it('makes the first key the encryption key and keeps every key for decryption', () => {
    const ring = parseKeyRing(` new:${K2} , old.2024-01_a:${K1} `);
    assert.equal(ring.encryptionKeyId, 'new');
    assert.deepEqual([...ring.keys.keys()], ['new', 'old.2024-01_a']);
  });

  it('keeps key bytes out of an inspected or logged ring', () => {
    const ring = parseKeyRing(`k1:${K1}`);
    const shown = inspect(ring, { depth: 10 });
    assert.ok(!shown.includes(K1));
    assert.ok(!shown.includes(Buffer.from(K1, 'base64').toString('hex')));
  });

  const badRings: Array<{ name: string; raw: string; problem: KeyRingProblem; material: string[] }> = [
    { name: 'a key of 16 bytes', raw: `k1:${randomBytes(16).toString('base64')}`, problem: 'wrong_key_length', material: [] },
    { name: 'a key of 33 bytes', raw: `k1:${randomBytes(33).toString('base64')}`, problem: 'wrong_key_length', material: [] },
    { name: 'a key that is not base64', raw: `k1:${K1.slice(0, 40)}*!#$`, problem: 'invalid_base64', material: [] },
    { name: 'a base64url key', raw: `k1:${randomBytes(32).toString('base64url')}-_`, problem: 'invalid_base64', material: [] },
    { name: 'an empty key', raw: 'k1:', problem: 'invalid_base64', material: [] },
    { name: 'a duplicate key id', raw: `k1:${K1},k1:${K2}`, problem: 'duplicate_key_id', material: [K1, K2] },
    { name: 'an empty string', raw: '', problem: 'empty', material: [] },
    { name: 'only separators', raw: ' , ,', problem: 'empty', material: [] },
    { name: 'a key id with spaces and symbols', raw: `bad id!:${K1}`, problem: 'invalid_key_id', material: [K1] },
    { name: 'a key id of 65 characters', raw: `${'a'.repeat(65)}:${K1}`, problem: 'invalid_key_id', material: [K1] },
    { name: 'id and key swapped', raw: `${K1}:k1`, problem: 'invalid_key_id', material: [K1] },
    { name: 'a key without an id', raw: K1, problem: 'malformed_entry', material: [K1] },
    { name: 'an entry with two colons', raw: `k1:${K1}:x`, problem: 'malformed_entry', material: [K1] },
    { name: 'a stray comma after a good key', raw: `k1:${K1},`, problem: 'malformed_entry', material: [K1] },
  ];
  for (const { name, raw, problem, material } of badRings) {
    it(`rejects ${name} as ${problem} without quoting key material`, () => {
      const keyPart = raw.split(',').flatMap((entry) => entry.split(':').slice(1));
      const error = (() => {
        try {
          parseKeyRing(raw);
        } catch (caught) {
          return caught;
        }
        assert.fail('expected parseKeyRing to throw');
      })();
      assert.ok(error instanceof KeyRingError);
      assert.equal(error.problem, problem);
      assertMentionsNoKeyMaterial(error, [...material, ...keyPart.filter((part) => part.length >= 8)]);
    });
  }
});

describe('createPayloadCodec', () => {
  it('with no keys lets plaintext through both ways', async () => {
    for (const blank of [{}, { encryptionKeys: '  ', decryptOnlyKeys: '' }]) {
      const codec = createPayloadCodec(blank);
      assert.equal(codec.encryptionKeyId, undefined);
      const originals = samplePayloads();
      assert.deepEqual((await codec.encode(originals)).map(comparable), originals.map(comparable));
      assert.deepEqual((await codec.decode(originals)).map(comparable), originals.map(comparable));
    }
  });

  it('with no keys names the key a sealed payload needs, records it, and never says "Unknown encoding"', async () => {
    const sealed = await createPayloadCodec({ encryptionKeys: `k1:${K1}` }).encode(samplePayloads());
    const sightings = new MissingKeySightings();
    const error = await rejection(createPayloadCodec({}, sightings).decode(sealed));
    assert.ok(error instanceof UndecodablePayloadError);
    assert.equal(error.reason, 'unknown_key');
    assert.equal(error.keyId, 'k1');
    assert.match(error.message, /encrypted with key "k1", which is not configured/);
    assert.match(error.message, /PAYLOAD_DECRYPT_ONLY_KEYS/);
    assert.equal(missingKeyIdOf(error), 'k1');
    assert.equal(missingKeyIdOf(new Error('query failed', { cause: new Error(error.message) })), 'k1', 'a message carried back from a worker');
    assert.equal(missingKeyIdOf(new Error('Unknown encoding: binary/encrypted')), undefined);
    assert.deepEqual(sightings.seenSince(0), ['k1']);
    assertMentionsNoKeyMaterial(error, [K1]);
  });

  it('decrypt-only keys open old payloads and seal nothing; the encrypting list still seals with its first key', async () => {
    const old = await createPayloadCodec({ encryptionKeys: `k1:${K1}` }).encode(samplePayloads());
    const retiring = createPayloadCodec({ decryptOnlyKeys: `k1:${K1}` });
    const opened = (await retiring.decode(old)).map(comparable);
    assert.deepEqual(opened[0], comparable(samplePayloads()[0]!));
    assert.equal(opened.length, old.length);
    const fresh = await retiring.encode(samplePayloads().slice(0, 1));
    assert.equal(Buffer.from(fresh[0]!.metadata!.encoding!).toString(), 'json/plain', 'nothing new is sealed');
    assert.deepEqual(sealingKeyIdsOf(old), ['k1']);
    assert.deepEqual(sealingKeyIdsOf(fresh), []);

    const rotated = createPayloadCodec({ encryptionKeys: `k2:${K2}`, decryptOnlyKeys: `k1:${K1}` });
    assert.equal(rotated.encryptionKeyId, 'k2');
    assert.deepEqual(sealingKeyIdsOf(await rotated.encode(samplePayloads())), ['k2']);
    assert.equal((await rotated.decode(old)).length, old.length);
  });

  it('rejects a key listed both as encrypting and decrypt-only, and a malformed ring', () => {
    assert.throws(() => keyRingOf({ encryptionKeys: `k1:${K1}`, decryptOnlyKeys: `k1:${K1}` }), (error: KeyRingError) => error.problem === 'decrypt_only_key_encrypts');
    assert.throws(() => createPayloadCodec({ encryptionKeys: 'k1:short' }), KeyRingError);
    assert.throws(() => createPayloadCodec({ decryptOnlyKeys: 'k1:short' }), KeyRingError);
  });
});

describe('MissingKeySightings', () => {
  it('remembers each key id with the time it was last met, bounded, ignoring ids that are no key id', () => {
    const sightings = new MissingKeySightings();
    sightings.record('old', 1_000);
    sightings.record('new', 5_000);
    sightings.record('not a key id!', 5_000);
    assert.deepEqual(sightings.seenSince(0), ['new', 'old']);
    assert.deepEqual(sightings.seenSince(2_000), ['new']);
    for (let i = 0; i < 100; i++) sightings.record(`stray-${i}`, 6_000);
    assert.ok(sightings.seenSince(0).length <= 16);
  });
});

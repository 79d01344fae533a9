import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { codecRouter, type AuthDecision } from '../../api/routes/codec';
import { AesGcmPayloadCodec, parseKeyRing, payloadToJson } from '../../shared/adapters/payload-codec';

const UI_ORIGIN = 'https://temporal-ui.example.com';
const MARKER = 'CONFIDENTIAL-DOCUMENT-MARKER-91c2';
const codec = new AesGcmPayloadCodec(parseKeyRing(`k1:${randomBytes(32).toString('base64')}`));
const b64 = (text: string) => Buffer.from(text).toString('base64');
const fromB64 = (text: string) => Buffer.from(text, 'base64').toString();

/** Tokens stand in for whatever the real authorizer checks. */
function authorize(req: express.Request): AuthDecision {
  const header = req.get('Authorization');
  if (header === 'Bearer ui-token') return true;
  if (header === 'Bearer no-codec-access') return { status: 403, code: 'forbidden', message: 'this token may not use the codec' };
  return { status: 401, code: 'unauthenticated', message: 'a bearer token is required' };
}

const jsonPlain = (value: unknown) => ({ metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify(value)) });

describe('codec routes (Temporal remote codec server)', () => {
  let server: Server;
  let baseUrl: string;

  before(async () => {
    const app = express();
    app.use('/codec', codecRouter({ codec, authorize, allowedOrigins: [UI_ORIGIN], log: () => {} }));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/codec`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function call(path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
    const response = await fetch(`${baseUrl}${path}`, {
      method: init.method ?? 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ui-token', ...init.headers },
      body: init.body,
    });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    return { status: response.status, headers: response.headers, body: isJson ? JSON.parse(text) : text };
  }
  const post = (path: string, json: unknown, headers: Record<string, string> = {}) =>
    call(path, { body: JSON.stringify(json), headers });

  it('encodes and decodes a round trip over HTTP, accepting X-Namespace', async () => {
    const payloads = [jsonPlain({ content: MARKER }), { metadata: { encoding: b64('binary/null') }, data: '' }];

    const encoded = await post('/encode', { payloads }, { 'X-Namespace': 'default' });
    assert.equal(encoded.status, 200);
    assert.equal(encoded.body.payloads.length, 2);
    for (const sealed of encoded.body.payloads) {
      assert.equal(fromB64(sealed.metadata.encoding), 'binary/encrypted');
      assert.ok(!fromB64(sealed.data).includes(MARKER));
    }

    const decoded = await post('/decode', encoded.body, { 'X-Namespace': 'default' });
    assert.equal(decoded.status, 200);
    assert.deepEqual(decoded.body, { payloads });
  });

  it('decodes what the workers encrypted in process', async () => {
    const sealed = await codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(`"${MARKER}"`) }]);
    const decoded = await post('/decode', { payloads: sealed.map(payloadToJson) });
    assert.equal(decoded.status, 200);
    assert.equal(fromB64(decoded.body.payloads[0].data), `"${MARKER}"`);
  });

  it('answers 401 with a JSON error when no credentials are given', async () => {
    const response = await post('/decode', { payloads: [] }, { Authorization: '' });
    assert.equal(response.status, 401);
    assert.deepEqual(response.body, { error: { code: 'unauthenticated', message: 'a bearer token is required' } });
  });

  it('answers 403 with a JSON error when the credentials may not use the codec', async () => {
    const response = await post('/encode', { payloads: [] }, { Authorization: 'Bearer no-codec-access' });
    assert.equal(response.status, 403);
    assert.equal(response.body.error.code, 'forbidden');
  });

  it('keeps the CORS headers on an auth failure so the UI can read it', async () => {
    const response = await post('/decode', { payloads: [] }, { Authorization: '', Origin: UI_ORIGIN });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('access-control-allow-origin'), UI_ORIGIN);
  });

  it('answers a preflight from the Temporal UI with 204 and the CORS headers, without credentials', async () => {
    const response = await call('/decode', {
      method: 'OPTIONS',
      headers: {
        Authorization: '',
        Origin: UI_ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace,authorization',
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), UI_ORIGIN);
    assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(response.headers.get('access-control-allow-headers'), 'Content-Type, X-Namespace, Authorization');
    assert.equal(response.headers.get('access-control-allow-methods'), 'POST, OPTIONS');
    assert.match(response.headers.get('vary') ?? '', /Origin/);
  });

  it('grants no CORS access to another origin', async () => {
    const preflight = await call('/decode', { method: 'OPTIONS', headers: { Authorization: '', Origin: 'https://evil.example.com' } });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    const actual = await post('/decode', { payloads: [] }, { Origin: 'https://evil.example.com' });
    assert.equal(actual.headers.get('access-control-allow-origin'), null);
  });

  it('answers 400 to malformed JSON', async () => {
    const response = await call('/decode', { body: '{"payloads": [' });
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'invalid_request');
  });

  it('answers 400 to a body that is not JSON at all', async () => {
    const response = await call('/encode', { body: 'payloads', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'invalid_request');
  });

  it('answers 400 naming the field for a body of the wrong shape', async () => {
    const missing = await post('/encode', { items: [] });
    assert.equal(missing.status, 400);
    assert.deepEqual(Object.keys(missing.body.error).sort(), ['code', 'field', 'message']);
    assert.equal(missing.body.error.field, 'payloads');

    const badBase64 = await post('/decode', { payloads: [{ metadata: { encoding: b64('json/plain') }, data: 'not base64!' }] });
    assert.equal(badBase64.status, 400);
    assert.equal(badBase64.body.error.field, 'payloads.0.data');
  });

  it('answers 400 to a body over 2 MiB', async () => {
    const huge = JSON.stringify({ payloads: [{ metadata: {}, data: b64('x'.repeat(1.6 * 1024 * 1024)) }] });
    assert.ok(huge.length > 2 * 1024 * 1024);
    const response = await call('/encode', { body: huge });
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'invalid_request');
  });

  it('answers 422 to a payload sealed under an unknown key, naming the key id', async () => {
    const stranger = new AesGcmPayloadCodec(parseKeyRing(`retired-2023:${randomBytes(32).toString('base64')}`));
    const sealed = await stranger.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('1') }]);
    const response = await post('/decode', { payloads: sealed.map(payloadToJson) });
    assert.equal(response.status, 422);
    assert.equal(response.body.error.code, 'undecodable_payload');
    assert.match(response.body.error.message, /retired-2023/);
  });

  it('answers 422 to a tampered payload', async () => {
    const encoded = await post('/encode', { payloads: [jsonPlain(MARKER)] });
    const sealed = Buffer.from(encoded.body.payloads[0].data, 'base64');
    sealed[sealed.length - 1]! ^= 0xff;
    encoded.body.payloads[0].data = sealed.toString('base64');
    const response = await post('/decode', encoded.body);
    assert.equal(response.status, 422);
    assert.equal(response.body.error.code, 'undecodable_payload');
  });

  it('never answers 5xx to 300 randomized bad bodies', async function () {
    const seed = Date.now() >>> 0;
    const random = mulberry32(seed);
    for (let round = 0; round < 300; round++) {
      const { body, contentType } = randomBadBody(random);
      const path = random() < 0.5 ? '/encode' : '/decode';
      const response = await call(path, { body, headers: { 'Content-Type': contentType } });
      const context = `seed ${seed}, round ${round}: ${path} ${contentType} ${body.slice(0, 200)}`;
      assert.ok(response.status < 500, `${response.status} for ${context}`);
      if (response.status >= 400) assert.equal(typeof response.body.error?.code, 'string', context);
    }
  });
});

/** Small seeded PRNG, so a failing fuzz round can be replayed from the seed in its message. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBadBody(random: () => number): { body: string; contentType: string } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const randomText = (length: number) =>
    Array.from({ length }, () => String.fromCharCode(Math.floor(random() * 0x2000))).join('');
  const randomValue = (depth: number): unknown => {
    const kinds = depth > 2 ? ['string', 'number', 'null', 'bool'] : ['string', 'number', 'null', 'bool', 'array', 'object'];
    switch (pick(kinds)) {
      case 'string':
        return pick([randomText(Math.floor(random() * 12)), 'YQ==', '', '====', b64('binary/encrypted'), '__proto__']);
      case 'number':
        return pick([0, -1, 1e308, 3.14, Number.MAX_SAFE_INTEGER]);
      case 'null':
        return null;
      case 'bool':
        return random() < 0.5;
      case 'array':
        return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(depth + 1));
      default:
        return Object.fromEntries(
          Array.from({ length: Math.floor(random() * 4) }, () => [
            pick(['payloads', 'metadata', 'data', 'encoding', '__proto__', 'constructor', randomText(3)]),
            randomValue(depth + 1),
          ]),
        );
    }
  };
  const encryptedLooking = () => ({
    metadata: {
      encoding: b64(pick(['binary/encrypted', 'json/plain', randomText(4)])),
      'encryption-key-id': b64(pick(['k1', 'k2', '', randomText(70)])),
      'encryption-cipher': b64(pick(['AES256GCM', 'none'])),
    },
    data: pick([b64(randomText(Math.floor(random() * 60))), '', 'YQ==', '@@@']),
  });
  const body = pick([
    () => JSON.stringify(randomValue(0)),
    () => JSON.stringify({ payloads: randomValue(1) }),
    () => JSON.stringify({ payloads: Array.from({ length: 1 + Math.floor(random() * 3) }, encryptedLooking) }),
    () => JSON.stringify({ payloads: [{ metadata: randomValue(2), data: randomValue(2) }] }),
    () => JSON.stringify({ payloads: [] }).slice(0, Math.floor(random() * 14)),
    () => randomText(Math.floor(random() * 40)),
    () => '{"payloads":[{"metadata":{"__proto__":{"polluted":"YQ=="}},"data":"YQ=="}]}',
  ])();
  const contentType = pick(['application/json', 'application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded']);
  return { body, contentType };
}

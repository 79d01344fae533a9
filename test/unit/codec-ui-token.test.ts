import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Authenticator } from '../../api/auth';
import { codecRoutes } from '../../api/routes/codec-routes';
import { codecEndpointOf } from '../../scripts/temporal/dev-server';
import { loadConfig } from '../../shared/config';
import { createPayloadCodec, payloadToJson } from '../../shared/adapters/payload-codec';

const KEYS = `k1:${randomBytes(32).toString('base64')}`;
const TOKEN = randomBytes(24).toString('base64url');
const UI_ORIGIN = 'http://localhost:8233';

describe('codec for the Temporal UI with API_KEYS set (TEMPORAL_UI_CODEC_TOKEN)', () => {
  const config = loadConfig({ API_KEYS: 'client-key-123456', PAYLOAD_ENCRYPTION_KEYS: KEYS, TEMPORAL_UI_CODEC_TOKEN: TOKEN, TEMPORAL_UI_URL: UI_ORIGIN, HOST: '0.0.0.0' });
  let server: Server;
  let baseUrl: string;

  before(async () => {
    const app = express();
    const routes = codecRoutes({ config, auth: new Authenticator(config.security), log: () => {} });
    app.use(routes.forUi!.path, routes.forUi!.router);
    app.use('/codec', routes.withApiKey!);
    server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** What the UI's browser sends: JSON, X-Namespace, its Origin, and no Authorization header. */
  const asTheUi = (path: string, body: unknown) =>
    fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: UI_ORIGIN }, body: JSON.stringify(body) });

  const sealed = async () => ({
    payloads: (await createPayloadCodec({ encryptionKeys: KEYS }).encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"secret text"') }])).map(payloadToJson),
  });

  it('decodes the UI’s request under /codec/ui/<token>, with CORS for the UI origin', async () => {
    const response = await asTheUi(`/codec/ui/${TOKEN}/decode`, await sealed());
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), UI_ORIGIN);
    const body = (await response.json()) as { payloads: { data: string }[] };
    assert.equal(Buffer.from(body.payloads[0]!.data, 'base64').toString(), '"secret text"');

    const preflight = await fetch(`${baseUrl}/codec/ui/${TOKEN}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: UI_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
  });

  it('refuses a wrong token (404, as if no such endpoint) and the plain endpoint without an API key (401)', async () => {
    const wrong = await asTheUi(`/codec/ui/${'x'.repeat(32)}/decode`, await sealed());
    assert.equal(wrong.status, 404);
    assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'route_not_found');
    assert.equal((await asTheUi('/codec/decode', await sealed())).status, 401);
    const withKey = await fetch(`${baseUrl}/codec/decode`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer client-key-123456' }, body: JSON.stringify(await sealed()) });
    assert.equal(withKey.status, 200);
  });

  it('is the endpoint `npm start` hands the dev server UI; without a token the plain one', () => {
    assert.equal(codecEndpointOf(config), `http://127.0.0.1:3000/codec/ui/${TOKEN}`);
    assert.equal(codecEndpointOf(loadConfig({ PAYLOAD_ENCRYPTION_KEYS: KEYS })), 'http://127.0.0.1:3000/codec');
  });

  it('rejects a short token at start, without echoing it', () => {
    assert.throws(() => loadConfig({ TEMPORAL_UI_CODEC_TOKEN: 'short-token' }), (error: Error) => /TEMPORAL_UI_CODEC_TOKEN/.test(error.message) && !error.message.includes('short-token'));
  });
});

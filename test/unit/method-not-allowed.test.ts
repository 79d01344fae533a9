import assert from 'node:assert/strict';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { errorHandler } from '../../api/errors';
import { methodNotAllowed } from '../../api/method-not-allowed';
import { buildOpenApiDocument } from '../../api/openapi';

describe('405 for a method a documented path does not serve', () => {
  let server: Server;
  let baseUrl: string;

  before(async () => {
    const app = express();
    app.use(methodNotAllowed(buildOpenApiDocument({ codec: true }).paths as Record<string, Record<string, unknown>>));
    app.use((_req, res) => {
      res.status(204).end();
    });
    app.use(errorHandler(() => {}));
    server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** node:http rather than fetch, which refuses to send TRACE. */
  const send = (method: string, path: string) =>
    new Promise<{ status: number; headers: { get(name: string): string | null }; json(): Promise<unknown> }>((resolve, reject) => {
      const request = http.request(`${baseUrl}${path}`, { method }, (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            headers: { get: (name) => (response.headers[name.toLowerCase()] as string | undefined) ?? null },
            json: async () => JSON.parse(text),
          }),
        );
      });
      request.on('error', reject);
      request.end();
    });

  it('answers 405 with Allow and the JSON error for an undocumented method', async () => {
    const response = await send('POST', '/api/jobs/analysis-0000');
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, DELETE, HEAD');
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'method_not_allowed');
    assert.match(body.error.message, /allowed: GET, DELETE, HEAD/);
  });

  it('covers TRACE, admin paths, the public document and the codec endpoint alike', async () => {
    for (const [method, path, allow] of [
      ['TRACE', '/api/documents', 'POST'],
      ['POST', '/api/operation-mode', 'GET, HEAD, PUT'],
      ['GET', '/api/operation-mode/override', 'DELETE'],
      ['DELETE', '/api/openapi.json', 'GET, HEAD'],
      ['GET', '/codec/encode', 'POST'],
      ['PATCH', '/api/documents/doc_1/', 'GET, PUT, DELETE, HEAD'],
    ]) {
      const response = await send(method!, path!);
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.deepEqual(response.headers.get('allow')!.split(', ').sort(), allow!.split(', ').sort(), `${method} ${path}`);
    }
  });

  it('passes documented methods, HEAD of a GET, OPTIONS, and unknown paths on', async () => {
    for (const [method, path] of [['GET', '/api/jobs'], ['HEAD', '/api/jobs'], ['OPTIONS', '/codec/encode'], ['POST', '/api/nothing-here'], ['GET', '/api/jobs/x/y/z']]) {
      assert.equal((await send(method!, path!)).status, 204, `${method} ${path}`);
    }
  });
});

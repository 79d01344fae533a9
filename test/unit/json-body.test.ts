import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { jsonBody, parseStrictJson, plainJsonBodyLength } from '../../api/json-body';

const LIMIT = 200;

/** An app answering what its body parser made of the request: the body, or the error's status and type. */
function echo(parser: express.RequestHandler) {
  const app = express().use(parser, (req, res) => {
    res.json({ body: req.body === undefined ? '(undefined)' : req.body });
  });
  app.use(((error, _req, res, _next) => res.status(error.status ?? 500).json({ type: error.type })) as express.ErrorRequestHandler);
  return app.listen(0);
}

interface Sent {
  headers: Record<string, string>;
  body?: Buffer | string;
  /** Sent as separate writes (chunked when no content-length is given). */
  chunks?: string[];
}

function send(server: http.Server, sent: Sent): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request({ port: (server.address() as AddressInfo).port, method: 'POST', path: '/', headers: sent.headers }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve(`${response.statusCode} ${text}`));
    });
    request.on('error', reject);
    for (const chunk of sent.chunks ?? []) request.write(chunk);
    request.end(sent.body);
  });
}

const json = (body: string | Buffer, type = 'application/json'): Sent => ({ headers: { 'content-type': type, 'content-length': String(Buffer.byteLength(body)) }, body });

describe('JSON request bodies', () => {
  it('the lean reader takes only plain JSON with a length within the limit', () => {
    assert.equal(plainJsonBodyLength({ 'content-type': 'application/json', 'content-length': '12' }, LIMIT), 12);
    assert.equal(plainJsonBodyLength({ 'content-type': 'Application/JSON; charset=UTF-8', 'content-length': '12' }, LIMIT), 12);
    assert.equal(plainJsonBodyLength({ 'content-type': 'application/json; charset=latin1', 'content-length': '12' }, LIMIT), undefined);
    assert.equal(plainJsonBodyLength({ 'content-type': 'application/json', 'content-length': '12', 'content-encoding': 'gzip' }, LIMIT), undefined);
    assert.equal(plainJsonBodyLength({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, LIMIT), undefined);
    assert.equal(plainJsonBodyLength({ 'content-type': 'application/json', 'content-length': '201' }, LIMIT), undefined);
    assert.equal(plainJsonBodyLength({ 'content-type': 'application/json', 'content-length': '0' }, LIMIT), undefined);
    assert.equal(plainJsonBodyLength({ 'content-type': 'text/plain', 'content-length': '12' }, LIMIT), undefined);
  });

  it('parses strictly: an object or array at the top, a byte order mark dropped, an empty body as {}', () => {
    assert.deepEqual(parseStrictJson(' \n{"a":1}'), { a: 1 });
    assert.deepEqual(parseStrictJson('\uFEFF[1]'), [1]);
    assert.deepEqual(parseStrictJson(''), {});
    for (const text of ['"text"', '12', 'null', '{"a":', '\u00a0{}']) {
      assert.throws(() => parseStrictJson(text), (error: { status?: number; type?: string }) => error.status === 400 && error.type === 'entity.parse.failed', text);
    }
  });

  it("runs the next middleware in the request's async context, as express.json() does (trace spans, deadlines)", async () => {
    const context = new AsyncLocalStorage<string>();
    const app = express().use((_req, _res, next) => context.run('this request', next), jsonBody({ limit: LIMIT }), (_req, res) => {
      res.json({ context: context.getStore() ?? null });
    });
    const server = app.listen(0);
    try {
      assert.equal(await send(server, json('{"a":1}')), '200 {"context":"this request"}');
    } finally {
      server.close();
    }
  });

  it('answers every kind of request as express.json() does', async () => {
    const cases: Sent[] = [
      json('{"content":"Acme hires forty engineers in Lisbon. ü €"}'),
      json('{"a":[1,2,{"b":null}]}', 'application/json; charset=utf-8'),
      json('  [1, 2]'),
      json(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"bom":true}')])),
      json(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])),
      json('"just a string"'),
      json('{"broken": '),
      json('{}', 'application/json; charset=latin1'),
      json('{}', 'application/json; charset=utf-16'),
      json('{}', 'text/plain'),
      json(`{"big":"${'x'.repeat(LIMIT)}"}`),
      { headers: { 'content-type': 'application/json', 'content-length': '0' } },
      { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync('{"zipped":1}') },
      { headers: { 'content-type': 'application/json' }, chunks: ['{"chunked"', ':true}'] },
      { headers: { 'content-type': 'application/json', 'content-length': '15' }, chunks: ['{"in":', '"pieces"}'] },
    ];
    const servers = [echo(express.json({ limit: LIMIT })), echo(jsonBody({ limit: LIMIT }))];
    try {
      for (const sent of cases) {
        const [theirs, ours] = await Promise.all(servers.map((server) => send(server, sent)));
        assert.equal(ours, theirs, JSON.stringify(sent.headers) + ' ' + String(sent.body ?? sent.chunks));
      }
    } finally {
      for (const server of servers) server.close();
    }
  });
});

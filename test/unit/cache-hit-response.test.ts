import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { cacheHitResponseJson, sendJsonText } from '../../api/cache-hit-response';
import { jobCostOf } from '../../api/job-view';

/** The response as the route built it before, through JSON.stringify (which drops an undefined documentId). */
const asBefore = (answer: unknown, documentId: string | undefined) =>
  JSON.stringify({ status: 'completed', cached: true, documentId, tokens: { input: 0, output: 0 }, cost: jobCostOf(0), result: answer });

const cachedAnswer = {
  summary: 'Acme opens an office in Lisbon — "forty" engineers, 50 % more; emoji 🚀 and a \\ backslash.',
  keyPoints: ['one', 'two'],
  entities: [{ name: 'Lisbon', type: 'location' }],
  sentiment: { label: 'positive', score: 0.5 },
  meta: { provider: 'anthropic', cached: true, inputTokens: 0, costNanoUsd: 0 },
};

describe('cache-hit response body', () => {
  it('is byte for byte what JSON.stringify made of the response object, with and without a document id', () => {
    for (const documentId of [undefined, 'doc_8fe6de194d6d401f90a4a4c96a8b8418', 'odd "id" \u2028']) {
      assert.equal(cacheHitResponseJson(JSON.stringify(cachedAnswer), documentId), asBefore(cachedAnswer, documentId));
    }
  });

  it('parses back to the documented shape', () => {
    const body = JSON.parse(cacheHitResponseJson(JSON.stringify(cachedAnswer), 'doc_1'));
    assert.deepEqual(body, { status: 'completed', cached: true, documentId: 'doc_1', tokens: { input: 0, output: 0 }, cost: { nanoUsd: 0, usd: 0 }, result: cachedAnswer });
  });
});

describe('sending a cache hit', () => {
  /** Raw header lines of a POST's answer, in order, without Date (it changes between requests). */
  async function answer(app: express.Express, path: string): Promise<{ headers: string[]; body: string }> {
    const server = app.listen(0);
    try {
      return await new Promise((resolve, reject) => {
        const request = http.request({ port: (server.address() as AddressInfo).port, method: 'POST', path }, (response) => {
          let body = '';
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => {
            const headers: string[] = [`status ${response.statusCode}`];
            for (let i = 0; i < response.rawHeaders.length; i += 2) {
              if (response.rawHeaders[i] !== 'Date') headers.push(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}`);
            }
            resolve({ headers, body });
          });
        });
        request.on('error', reject);
        request.end();
      });
    } finally {
      server.close();
    }
  }

  for (const etag of [true, false]) {
    it(`sends what res.json sent, less the ETag: status, headers in order and body${etag ? '' : ' (ETags off)'}`, async () => {
      const text = cacheHitResponseJson(JSON.stringify(cachedAnswer), 'doc_1');
      const app = express();
      app.set('etag', etag);
      app.use((_req, res, next) => {
        res.setHeader('X-Frame-Options', 'SAMEORIGIN');
        next();
      });
      app.post('/before', (_req, res) => {
        res.status(200).json(JSON.parse(text));
      });
      app.post('/after', (_req, res) => sendJsonText(res, 200, text));
      const [before, after] = [await answer(app, '/before'), await answer(app, '/after')];
      assert.equal(before.headers.some((line) => line.startsWith('ETag:')), etag);
      assert.deepEqual(after, { ...before, headers: before.headers.filter((line) => !line.startsWith('ETag:')) });
    });
  }
});

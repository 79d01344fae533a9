import assert from 'node:assert/strict';
import { cacheHitResponseJson } from '../../api/cache-hit-response';
import { jobCostOf } from '../../api/job-view';

/** The response as the route built it before, through JSON.stringify (which drops an undefined documentId). */
const asBefore = (answer: unknown, documentId: string | undefined) =>
  JSON.stringify({ status: 'completed', cached: true, documentId, tokens: { input: 0, output: 0 }, cost: jobCostOf(0), result: answer });

const answer = {
  summary: 'Acme opens an office in Lisbon — "forty" engineers, 50 % more; emoji 🚀 and a \\ backslash.',
  keyPoints: ['one', 'two'],
  entities: [{ name: 'Lisbon', type: 'location' }],
  sentiment: { label: 'positive', score: 0.5 },
  meta: { provider: 'anthropic', cached: true, inputTokens: 0, costNanoUsd: 0 },
};

describe('cache-hit response body', () => {
  it('is byte for byte what JSON.stringify made of the response object, with and without a document id', () => {
    for (const documentId of [undefined, 'doc_8fe6de194d6d401f90a4a4c96a8b8418', 'odd "id" \u2028']) {
      assert.equal(cacheHitResponseJson(JSON.stringify(answer), documentId), asBefore(answer, documentId));
    }
  });

  it('parses back to the documented shape', () => {
    const body = JSON.parse(cacheHitResponseJson(JSON.stringify(answer), 'doc_1'));
    assert.deepEqual(body, { status: 'completed', cached: true, documentId: 'doc_1', tokens: { input: 0, output: 0 }, cost: { nanoUsd: 0, usd: 0 }, result: answer });
  });
});

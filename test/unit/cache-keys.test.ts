import assert from 'node:assert/strict';
import { analysisCacheKey, analysisKeyText, canonicalJson, documentCacheTag, type AnalysisCacheKeyInput } from '../../shared/adapters/cache/keys';

const request: AnalysisCacheKeyInput = {
  contentHash: 'f00d',
  analysisType: 'summary',
  modelTier: 'standard',
  promptVersion: 'v3',
  options: { language: 'en', sections: ['intro', 'body'], limits: { words: 200, sentences: 5 } },
};

describe('cache keys', () => {
  it('canonical JSON sorts object keys at every depth and keeps array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('the analysis key is a sha256 hex digest', () => {
    assert.match(analysisCacheKey(request), /^[0-9a-f]{64}$/);
  });

  it('the analysis key does not depend on the order of fields or option keys', () => {
    const reordered: AnalysisCacheKeyInput = {
      options: { limits: { sentences: 5, words: 200 }, sections: ['intro', 'body'], language: 'en' },
      promptVersion: 'v3',
      modelTier: 'standard',
      analysisType: 'summary',
      contentHash: 'f00d',
    };
    assert.equal(analysisCacheKey(reordered), analysisCacheKey(request));
  });

  it('the analysis key changes when any field or option changes', () => {
    const variants: AnalysisCacheKeyInput[] = [
      { ...request, contentHash: 'f00e' },
      { ...request, analysisType: 'sentiment' },
      { ...request, modelTier: 'premium' },
      { ...request, promptVersion: 'v4' },
      { ...request, options: { ...request.options, language: 'de' } },
      { ...request, options: { ...request.options, sections: ['body', 'intro'] } },
      { ...request, options: { ...request.options, limits: { words: 201, sentences: 5 } } },
      { ...request, options: { ...request.options, extra: true } },
    ];
    const keys = new Set([request, ...variants].map(analysisCacheKey));
    assert.equal(keys.size, variants.length + 1);
  });

  it('no options and empty options ask for the same analysis; undefined option values are ignored', () => {
    const { options: _options, ...withoutOptions } = request;
    assert.equal(analysisCacheKey(withoutOptions), analysisCacheKey({ ...withoutOptions, options: {} }));
    assert.equal(analysisCacheKey({ ...request, options: { ...request.options, unset: undefined } }), analysisCacheKey(request));
  });

  it('the analysis key is sha256 of the canonical JSON, the same in every process (pinned value)', () => {
    assert.equal(analysisCacheKey(request), '7dbc60a27320c248b9c4fc135f870f6aedbd1a1703ac6896bce50df3df862ae9');
  });

  it('the key text is the canonical JSON of the request, so keys derived before stay the same', () => {
    const inputs: AnalysisCacheKeyInput[] = [
      request,
      { contentHash: 'ab'.repeat(32), analysisType: 'full', modelTier: 'advanced', promptVersion: '7' },
      { contentHash: 'x', analysisType: 'sentiment', modelTier: 'light', promptVersion: 'v"9\\', options: { maxTokens: undefined } },
      { contentHash: 'x', analysisType: 'full', modelTier: 'light', promptVersion: 'é\u2028', options: { maxTokens: 500 } },
    ];
    for (const input of inputs) {
      const { contentHash, analysisType, modelTier, promptVersion, options } = input;
      assert.equal(analysisKeyText(input), canonicalJson({ contentHash, analysisType, modelTier, promptVersion, options: options ?? {} }));
    }
  });

  it('tags all analyses of a document with doc:<documentId>', () => {
    assert.equal(documentCacheTag('42'), 'doc:42');
  });
});

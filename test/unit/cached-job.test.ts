import assert from 'node:assert/strict';
import { cacheKeyOfJob, cachedJobView } from '../../api/cached-job';
import { jobReadSchema } from '../../api/openapi-schemas';
import type { AnalysisResult } from '../../shared/core/analysis-result';
import { analyzeLocally } from '../../shared/core/local-analyzer';

describe('a finished job read from the analysis cache', () => {
  const key = 'a'.repeat(64);

  it('finds the cache key in the ids the API gives, and none in UUID ids', () => {
    assert.equal(cacheKeyOfJob(`analysis-${key}`), key);
    assert.equal(cacheKeyOfJob('analysis-0b7d4a5e-7e4f-4c1f-9a6b-2f3e4d5c6b7a'), undefined);
    assert.equal(cacheKeyOfJob(`batch-${key}`), undefined);
  });

  it('is a completed job view marked as served from the cache, valid against the documented schema', () => {
    const content = analyzeLocally('Acme Corporation opens an office in Lisbon. Customers love it.');
    const result: AnalysisResult = { ...content, meta: { provider: 'local', model: 'local-extractive-v1', inputTokens: 0, outputTokens: 0, latencyMs: 0, cached: true, attempts: 1 } };
    const view = cachedJobView(`analysis-${key}`, result, 'http://ui/job');
    assert.equal(view.status, 'completed');
    assert.equal(view.servedFrom, 'cache');
    assert.equal(view.links.self, `/api/jobs/analysis-${key}`);
    assert.match(view.version, /^[0-9a-f]{16}$/);
    assert.equal(jobReadSchema.safeParse(view).success, true);
  });
});

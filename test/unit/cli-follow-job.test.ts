import assert from 'node:assert/strict';
import type { JobView } from '../../scripts/cli/api-types';
import { applyJobEvent } from '../../scripts/cli/follow-job';
import { progressLine } from '../../scripts/cli/format-job';

const snapshot: JobView = {
  jobId: 'analysis-1',
  status: 'running',
  stage: 'analyzing',
  provider: 'anthropic',
  chain: [],
  tokens: { input: 0, output: 0 },
  links: { self: '/api/jobs/analysis-1', ui: 'http://ui' },
  version: 'v1',
};

describe('CLI: following a job through its events', () => {
  it('starts from the snapshot and shows the retry in flight', () => {
    let job = applyJobEvent(undefined, { event: 'snapshot', id: 'v1', data: snapshot });
    job = applyJobEvent(job, { event: 'attempt', id: 'v2', data: { provider: 'anthropic', attempt: 2, lastFailure: 'RateLimited', outcome: 'running' } });
    assert.equal(progressLine(job!), 'analyzing · anthropic · attempt 2 (last: RateLimited)');
  });

  it('keeps the attempt line when the step ends, and drops it when another provider takes over', () => {
    let job = applyJobEvent(undefined, { event: 'snapshot', id: 'v1', data: { ...snapshot, currentAttempt: { provider: 'anthropic', attempt: 3, lastFailure: 'Overloaded' } } });
    job = applyJobEvent(job, { event: 'attempt', id: 'v2', data: { provider: 'anthropic', outcome: 'failed', errorType: 'Overloaded', attempts: 3 } });
    assert.equal(job!.chain.length, 1);
    assert.equal(progressLine(job!), 'analyzing · anthropic · attempt 3 (last: Overloaded)');
    job = applyJobEvent(job, { event: 'stage', id: 'v2', data: { status: 'running', stage: 'analyzing', provider: 'openai' } });
    assert.equal(progressLine(job!), 'analyzing · openai');
  });

  it('takes the final event as the whole job, and ignores events it does not know', () => {
    const done = { ...snapshot, status: 'completed', stage: 'completed' } as JobView;
    assert.equal(applyJobEvent(snapshot, { event: 'completed', id: 'v3', data: done }), done);
    assert.equal(applyJobEvent(snapshot, { event: 'interrupted', id: 'v3', data: {} }), snapshot);
    assert.equal(applyJobEvent(undefined, { event: 'stage', id: 'v3', data: {} }), undefined);
  });
});

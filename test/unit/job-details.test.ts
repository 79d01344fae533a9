import assert from 'node:assert/strict';
import { jobDetailsMarkdown } from '../../shared/core/job-details';
import type { JobProgress } from '../../shared/core/job-types';

const base: JobProgress = { stage: 'completed', documentId: 'doc_1', chain: [] };

describe('jobDetailsMarkdown (the run’s current details in the Temporal UI)', () => {
  it('names the step that answered, not the tier that was asked: local after a failed remote step', () => {
    const details = jobDetailsMarkdown('completed', {
      ...base,
      provider: 'local',
      chain: [
        { provider: 'anthropic', model: 'claude-opus-4-1', tier: 'advanced', outcome: 'failed', attempts: 3, errorType: 'RateLimited' },
        { provider: 'local', outcome: 'succeeded', attempts: 1 },
      ],
    });
    assert.match(details, /^\*\*Answered by\*\* local \(extractive analyzer\)/);
    assert.match(details, /1\. anthropic claude-opus-4-1 \(advanced tier\) · failed after 3 attempts: RateLimited/);
    assert.match(details, /2\. local \(extractive analyzer\) · succeeded/);
    assert.doesNotMatch(details.split('\n')[0]!, /advanced/);
  });

  it('says light tier when the mode lowered it', () => {
    const details = jobDetailsMarkdown('completed', { ...base, provider: 'anthropic', chain: [{ provider: 'anthropic', model: 'claude-3-5-haiku-latest', tier: 'light', outcome: 'succeeded' }] });
    assert.match(details, /^\*\*Answered by\*\* anthropic claude-3-5-haiku-latest \(light tier\)/);
  });

  it('running with a retry in flight, queued, cancelled before or during a step, failed, cached', () => {
    assert.match(jobDetailsMarkdown('running', { ...base, stage: 'analyzing', provider: 'openai', currentAttempt: { provider: 'openai', attempt: 2, lastFailure: 'ServerError' } }), /Running:\*\* openai, attempt 2 \(last: ServerError\)/);
    assert.equal(jobDetailsMarkdown('queued', { ...base, stage: 'queued' }), '**Queued**');
    assert.equal(jobDetailsMarkdown('cancelled', base), '**Cancelled** before any provider ran');
    assert.match(jobDetailsMarkdown('cancelled', { ...base, chain: [{ provider: 'anthropic', outcome: 'cancelled', attempts: 2, errorType: 'Cancelled' }] }), /Cancelled\*\* \(last step: anthropic\)[\s\S]*anthropic · cancelled after 2 attempts: Cancelled/);
    assert.match(jobDetailsMarkdown('failed', { ...base, chain: [{ provider: 'local', outcome: 'failed', errorType: 'DocumentNotFound' }] }), /^\*\*Failed\*\* after 1 provider step\n/);
    assert.match(jobDetailsMarkdown('completed', { ...base, provider: 'anthropic', cached: true }), /analysis cache\*\* \(first answered by anthropic\)/);
  });
});

import assert from 'node:assert/strict';
import { formatServerSentEvent, jobEventsBetween } from '../../api/job-events';
import type { JobView } from '../../api/job-view';

const view = (overrides: Partial<JobView>): JobView => ({
  jobId: 'analysis-1',
  status: 'running',
  stage: 'analyzing',
  chain: [],
  tokens: { input: 0, output: 0 },
  links: { self: '/api/jobs/analysis-1', ui: 'http://ui' },
  version: 'v1',
  ...overrides,
});
const names = (events: { event: string }[]) => events.map((event) => event.event);

describe('job events (what the stream sends between two views)', () => {
  it('starts a new stream with a snapshot of the job', () => {
    const events = jobEventsBetween(undefined, view({}));
    assert.deepEqual(names(events), ['snapshot']);
    assert.equal(events[0]!.id, 'v1');
  });

  it('sends nothing when the version has not moved', () => {
    assert.deepEqual(jobEventsBetween(view({}), view({})), []);
  });

  it('sends each provider step that ended, the attempt in flight and the stage change, all with the new version', () => {
    const before = view({ status: 'queued', stage: 'queued' });
    const after = view({
      version: 'v2',
      provider: 'openai',
      chain: [{ provider: 'anthropic', outcome: 'failed', errorType: 'Overloaded', attempts: 3 }],
      currentAttempt: { provider: 'openai', attempt: 2, lastFailure: 'RateLimited' },
    });
    const events = jobEventsBetween(before, after);
    assert.deepEqual(names(events), ['attempt', 'attempt', 'stage']);
    assert.equal((events[0]!.data as { errorType: string }).errorType, 'Overloaded');
    assert.deepEqual(events[1]!.data, { provider: 'openai', attempt: 2, lastFailure: 'RateLimited', outcome: 'running' });
    assert.deepEqual(events[2]!.data, { status: 'running', stage: 'analyzing', provider: 'openai' });
    assert.ok(events.every((event) => event.id === 'v2'));
  });

  it('ends with the final event carrying the whole job, even for a client that had seen that version', () => {
    const done = view({ status: 'completed', stage: 'completed', version: 'v3' });
    assert.deepEqual(names(jobEventsBetween(view({}), done)), ['completed']);
    assert.deepEqual(names(jobEventsBetween(done, done)), ['completed']);
    assert.deepEqual(names(jobEventsBetween(undefined, view({ status: 'failed', stage: 'failed' }))), ['failed']);
    assert.equal(jobEventsBetween(undefined, done)[0]!.data, done);
  });

  it('formats one event per block: id, event and a single JSON data line', () => {
    assert.equal(formatServerSentEvent({ event: 'stage', id: 'v2', data: { a: 'x\ny' } }), 'id: v2\nevent: stage\ndata: {"a":"x\\ny"}\n\n');
  });
});

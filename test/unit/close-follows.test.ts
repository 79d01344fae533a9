import assert from 'node:assert/strict';
import { onlyTheCloseFollows } from '../../api/close-follows';
import { WORKFLOW_TYPES } from '../../shared/core/names';

describe('onlyTheCloseFollows: when a follower may wait on the close event alone', () => {
  const job = { workflowType: WORKFLOW_TYPES.analyzeDocument, publishesProgress: true };

  it("once a synchronous job that publishes its progress has a step's answer, a provider's or the local analyzer's", () => {
    assert.equal(onlyTheCloseFollows(job, 'callProvider'), true);
    assert.equal(onlyTheCloseFollows(job, 'analyzeWithLocalAnalyzer'), true);
  });

  it('not after any other activity: a cache read or a plan may still lead to a provider call', () => {
    assert.equal(onlyTheCloseFollows(job, 'readCachedAnalysis'), false);
    assert.equal(onlyTheCloseFollows(job, undefined), false);
  });

  it('not for a run that does not publish its progress: its last view is read from the rest of its history', () => {
    assert.equal(onlyTheCloseFollows({ ...job, publishesProgress: false }, 'callProvider'), false);
  });

  it('not for deferred jobs or batches, whose provider answers are followed by more steps', () => {
    for (const workflowType of [WORKFLOW_TYPES.analyzeDeferredDocument, WORKFLOW_TYPES.analyzeBatch, undefined]) {
      assert.equal(onlyTheCloseFollows({ ...job, workflowType }, 'callProvider'), false, String(workflowType));
    }
  });
});

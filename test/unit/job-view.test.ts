import assert from 'node:assert/strict';
import { jobStatusOf, stageOf } from '../../api/job-view';

describe('job status from a Temporal run', () => {
  it('is queued while the run is open and no worker has reported progress', () => {
    assert.equal(jobStatusOf('RUNNING', undefined), 'queued');
    assert.equal(jobStatusOf('RUNNING', { stage: 'queued' }), 'queued');
  });
  it('is running once the workflow reports a later stage', () => {
    assert.equal(jobStatusOf('RUNNING', { stage: 'analyzing' }), 'running');
  });
  it('maps closed runs to completed, failed and cancelled', () => {
    assert.equal(jobStatusOf('COMPLETED', undefined), 'completed');
    assert.equal(jobStatusOf('FAILED', { stage: 'analyzing' }), 'failed');
    assert.equal(jobStatusOf('TERMINATED', undefined), 'failed');
    assert.equal(jobStatusOf('TIMED_OUT', undefined), 'failed');
    assert.equal(jobStatusOf('CANCELLED', undefined), 'cancelled');
  });
  it('shows the terminal stage for closed runs even when the progress query could not be answered', () => {
    assert.equal(stageOf('completed', undefined), 'completed');
    assert.equal(stageOf('running', { stage: 'analyzing', documentId: 'd', chain: [] }), 'analyzing');
    assert.equal(stageOf('queued', undefined), 'queued');
  });
});

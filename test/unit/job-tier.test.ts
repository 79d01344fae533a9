import assert from 'node:assert/strict';
import { tierForNewJob } from '../../shared/core/operation-mode/job-tier';

describe('the model tier a new job asks for', () => {
  it('is advanced in NORMAL and light in every lowered mode', () => {
    assert.equal(tierForNewJob({ mode: 'NORMAL' }), 'advanced');
    for (const mode of ['DEGRADED', 'EMERGENCY', 'MAINTENANCE'] as const) assert.equal(tierForNewJob({ mode }), 'light', mode);
  });

  it('is advanced while the mode is unknown: the provider attempt decides when it runs', () => {
    assert.equal(tierForNewJob(undefined), 'advanced');
  });
});

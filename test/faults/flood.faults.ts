/** A flood: 1,000 analyses submitted 50 at a time. */
import type { Deployment } from '../helpers/deployment';
import { runScenario } from './scenario';
import { getDeployment } from './suite';

describe('fault suite: a flood of jobs', function () {
  let deployment: Deployment;

  before(async function () {
    this.timeout(300_000);
    deployment = await getDeployment();
  });

  it('1,000 jobs submitted 50 at a time: every one accepted and completed with its answer, none lost, no duplicate call', async () => {
    await runScenario(deployment, { name: 'flood: 1,000 jobs, 50 at a time', jobs: 1_000, concurrency: 50, providerDelayMs: 50, deadlineMs: 480_000 });
  });
});

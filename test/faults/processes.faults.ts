/** Service processes killed with SIGKILL under load, then started again as an operator (or a supervisor) would. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deployment } from '../helpers/deployment';
import { runScenario } from './scenario';
import { getDeployment } from './suite';

describe('fault suite: processes killed mid-load', function () {
  let deployment: Deployment;

  before(async function () {
    this.timeout(300_000);
    deployment = await getDeployment();
  });

  it('a worker SIGKILLed with provider calls in flight (a new one started): every job completes with its answer, only calls in flight at the kill are repeated', async () => {
    const { calls } = await runScenario(deployment, {
      name: 'worker SIGKILL, another started',
      jobs: 100,
      providerDelayMs: 1_000,
      inject: async ({ providerRequests }) => {
        await providerRequests(30);
        const victim = deployment.workers[0]!;
        const killedAt = Date.now();
        await victim.kill();
        await victim.start();
        // The other worker goes on serving: recovery counts from the kill.
        return { windows: [{ from: killedAt, to: killedAt }], repairedAt: killedAt };
      },
    });
    assert.ok(calls.exposed > 0, 'the kill found no provider call in flight: the scenario did not test a kill under load');
  });

  // Until the contract branch (issue 11, deliverable 1: 503 + Retry-After within ~2 s when Temporal is away) is merged,
  // this fails on its 5xx assertion: during the 15 s outage job reads and POSTs block ~15-20 s and then answer 500.
  it('the Temporal dev server SIGKILLed mid-load and restarted on the same state file: every job completes, none lost', async () => {
    const { calls } = await runScenario(deployment, {
      name: 'dev server SIGKILL, restarted after 15 s',
      jobs: 60,
      providerDelayMs: 1_000,
      inject: async ({ providerRequests }) => {
        await providerRequests(20);
        const killedAt = Date.now();
        await deployment.devServer.kill();
        await sleep(15_000);
        const repairedAt = Date.now();
        await deployment.devServer.start();
        return { windows: [{ from: killedAt, to: Date.now() }], repairedAt };
      },
    });
    assert.ok(calls.exposed > 0, 'no provider call was in flight while the server was down');
  });

  it('the API SIGKILLed mid-submission and restarted: every accepted job completes and is readable, none lost', async () => {
    await runScenario(deployment, {
      name: 'API SIGKILL, restarted after 2 s',
      jobs: 80,
      concurrency: 8,
      providerDelayMs: 500,
      inject: async ({ providerRequests }) => {
        await providerRequests(16);
        const killedAt = Date.now();
        await deployment.api.kill();
        await sleep(2_000);
        const repairedAt = Date.now();
        await deployment.api.start();
        return { windows: [{ from: killedAt, to: Date.now() }], repairedAt };
      },
    });
  });
});

/** Redis (cache tier, circuit breakers, Retry-After holds) killed, or reached through a degraded network. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deployment } from '../helpers/deployment';
import type { Toxic } from '../helpers/toxiproxy';
import { degradeLink, runScenario } from './scenario';
import { getDeployment } from './suite';

describe('fault suite: Redis', function () {
  let deployment: Deployment;

  before(async function () {
    this.timeout(300_000);
    deployment = await getDeployment();
  });
  afterEach(() => deployment.toxiproxy.reset());

  it('Redis SIGKILLed mid-load and restarted empty: every job completes with its answer, none lost, no duplicate call', async () => {
    await runScenario(deployment, {
      name: 'Redis SIGKILL, restarted empty after 5 s',
      jobs: 60,
      paceMs: 150,
      providerDelayMs: 500,
      inject: async ({ providerRequests }) => {
        await providerRequests(15);
        const killedAt = Date.now();
        await deployment.redis.kill();
        await sleep(5_000);
        const repairedAt = Date.now();
        await deployment.redis.restart();
        return { windows: [{ from: killedAt, to: Date.now() }], repairedAt };
      },
    });
  });

  const toxics: [string, Toxic][] = [
    ['latency 300 ms', { type: 'latency', attributes: { latency: 300 } }],
    ['black hole', { type: 'timeout', attributes: { timeout: 0 } }],
    ['connection reset', { type: 'reset_peer', attributes: { timeout: 0 } }],
  ];
  for (const [label, toxic] of toxics) {
    it(`network to Redis: ${label} for 5 s mid-load: every job completes with its answer, none lost, no duplicate call`, async () => {
      await runScenario(deployment, {
        name: `Redis link: ${label} for 5 s`,
        jobs: 50,
        paceMs: 200,
        providerDelayMs: 500,
        inject: degradeLink(deployment.redisLink, toxic, 5_000),
      });
    });
  }
});

/** The provider reached through a degraded network, and a provider answering 429 with Retry-After to everyone. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deployment } from '../helpers/deployment';
import type { Toxic } from '../helpers/toxiproxy';
import { degradeLink, runScenario } from './scenario';
import { getDeployment } from './suite';

describe('fault suite: the provider', function () {
  let deployment: Deployment;

  before(async function () {
    this.timeout(300_000);
    deployment = await getDeployment();
  });
  afterEach(() => deployment.toxiproxy.reset());

  const toxics: [string, Toxic][] = [
    ['latency 1 s', { type: 'latency', attributes: { latency: 1_000 } }],
    ['black hole', { type: 'timeout', attributes: { timeout: 0 } }],
    ['connection reset', { type: 'reset_peer', attributes: { timeout: 0 } }],
  ];
  for (const [label, toxic] of toxics) {
    it(`network to the provider: ${label} for 8 s mid-load: every job completes with the provider's or the local analyzer's answer, none lost`, async () => {
      await runScenario(deployment, {
        name: `provider link: ${label} for 8 s`,
        jobs: 60,
        paceMs: 200,
        providerDelayMs: 500,
        inject: degradeLink(deployment.providerLink, toxic, 8_000),
      });
    });
  }

  it('a 429 storm with Retry-After for 8 s: every job completes, none lost, the provider is not hammered', async () => {
    const provider = deployment.emulator.provider('anthropic');
    let stormCalls = 0;
    const { outcomes } = await runScenario(deployment, {
      name: '429 storm (Retry-After: 2) for 8 s',
      jobs: 60,
      paceMs: 200,
      providerDelayMs: 300,
      inject: async ({ providerRequests }) => {
        await providerRequests(10);
        const from = Date.now();
        const before = provider.requests;
        provider.setDefault({ kind: 'status', status: 429, headers: { 'retry-after': '2' } });
        await sleep(8_000);
        stormCalls = provider.requests - before;
        const repairedAt = Date.now();
        provider.setDefault({ kind: 'per-document', delayMs: 300 });
        return { windows: [{ from, to: Date.now() }], repairedAt };
      },
    });
    const waiting = outcomes.length;
    console.log(`      429 storm: ${stormCalls} provider requests in 8 s with up to ${waiting} jobs waiting (${(stormCalls / waiting).toFixed(2)} per job)`);
    // Every worker honours the shared Retry-After hold: about one probe per hold, not one per job per retry.
    assert.ok(stormCalls < waiting, `${stormCalls} requests during the storm for ${waiting} jobs: Retry-After was not honoured across workers`);
  });
});

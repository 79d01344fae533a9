/**
 * `npm run bench -- reservation`: what budget control adds to each provider call. The guard around a
 * provider request (reserve the worst case in every ledger the call is charged to, call, settle) is
 * timed around a provider stand-in that answers at once, so the figure is the guard alone: with the
 * in-process store and with Redis (two Lua scripts, five ledgers: the key's day, month and a limited
 * hour window, the global day and month). Its floor: a bare Redis PING round trip (a call with Redis
 * needs two: reserve before, settle after).
 */
import { createClient } from '@redis/client';
import { withBudget } from '../activities/providers/budget-guard';
import type { LlmClient } from '../activities/providers/llm-clients';
import { MemoryBudgetStore, RedisBudgetStore, type BudgetStore } from '../shared/adapters/budget-store';
import { buildAnalysisPrompt } from '../shared/core/providers/prompt';
import { DEFAULT_PRICES, priceOf } from '../shared/core/spend/prices';
import { startRedis } from '../test/helpers/redis';
import { percentile, timeEach } from './report';

/** Microseconds: these figures sit well under a millisecond. */
function report(name: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const us = (p: number) => `${Math.round(percentile(sorted, p) * 1000)} µs`.padStart(9);
  console.log(`${name.padEnd(52)} n=${sorted.length}  p50 ${us(50)}  p99 ${us(99)}`);
}

const RUNS = 3_200;
const CONCURRENT = 16;

const instantProvider: LlmClient = {
  complete: async () => ({ text: '{}', usage: { inputTokens: 900, outputTokens: 200, cacheReadTokens: 0, cacheWriteTokens: 0 } }),
};

function guarded(store: BudgetStore): LlmClient {
  return withBudget(instantProvider, {
    store,
    client: { scope: 'key:bench', limits: [{ window: 'hour', unit: 'nanoUsd', amount: Number.MAX_SAFE_INTEGER }] },
    globalLimits: [{ window: 'day', unit: 'tokens', amount: Number.MAX_SAFE_INTEGER }],
    price: priceOf(DEFAULT_PRICES, 'anthropic', 'claude-opus-4-1'),
    reservationTtlMs: 60_000,
  });
}

const request = { model: 'claude-opus-4-1', prompt: buildAnalysisPrompt('Acme Corp opened an office in Berlin. '.repeat(50), 'full'), maxTokens: 1024, signal: new AbortController().signal };

async function concurrentSamples(run: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENT }, async () => {
      for (let i = 0; i < RUNS / CONCURRENT; i++) {
        const started = performance.now();
        await run();
        samples.push(performance.now() - started);
      }
    }),
  );
  return samples;
}

export async function benchReservation(): Promise<void> {
  const bare = await timeEach(RUNS, () => instantProvider.complete(request));
  report('provider stand-in alone (no budget)', bare);
  const memory = guarded(new MemoryBudgetStore());
  await timeEach(200, () => memory.complete(request));
  report('reserve + call + settle, in-process store', await timeEach(RUNS, () => memory.complete(request)));

  const redis = await startRedis();
  const ping = createClient({ url: redis.url });
  await ping.connect();
  const store = new RedisBudgetStore(redis.url, 'bench-budget:');
  try {
    const viaRedis = guarded(store);
    await timeEach(200, () => viaRedis.complete(request));
    report('floor: Redis PING round trip', await timeEach(RUNS, () => ping.ping()));
    report('floor: two Redis PING round trips', await timeEach(RUNS, async () => (await ping.ping(), ping.ping())));
    report('reserve + call + settle, Redis (5 ledgers)', await timeEach(RUNS, () => viaRedis.complete(request)));
    report(`floor: Redis PING, ${CONCURRENT} at once`, await concurrentSamples(() => ping.ping()));
    report(`reserve + call + settle, Redis, ${CONCURRENT} at once`, await concurrentSamples(() => viaRedis.complete(request)));
  } finally {
    ping.destroy();
    await store.close();
    await redis.stop();
  }
}

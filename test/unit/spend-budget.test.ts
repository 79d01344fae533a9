import assert from 'node:assert/strict';
import { MemoryBudgetStore } from '../../shared/adapters/budget-store';
import {
  callLedgers,
  fitsWithin,
  ledgersFor,
  parseLimitAmount,
  parseLimits,
  promptTokensUpperBound,
  spentRatio,
  windowOf,
  worstCaseOf,
} from '../../shared/core/spend/budget';
import { DEFAULT_PRICES, priceOf } from '../../shared/core/spend/prices';
import { loadConfig, ConfigError } from '../../shared/config';

const NOW = Date.UTC(2026, 10, 30, 13, 45, 30);

describe('budgets (pure core and the in-process store)', () => {
  it('parses money and token limits', () => {
    assert.deepEqual(parseLimitAmount('$5'), { unit: 'nanoUsd', amount: 5_000_000_000 });
    assert.deepEqual(parseLimitAmount('$0.000000001'), { unit: 'nanoUsd', amount: 1 });
    assert.deepEqual(parseLimitAmount('12.5usd'), { unit: 'nanoUsd', amount: 12_500_000_000 });
    assert.deepEqual(parseLimitAmount('200k'), { unit: 'tokens', amount: 200_000 });
    assert.deepEqual(parseLimitAmount('2m tokens'), { unit: 'tokens', amount: 2_000_000 });
    assert.deepEqual(parseLimitAmount('1500'), { unit: 'tokens', amount: 1500 });
    assert.throws(() => parseLimitAmount('five dollars'), /neither money/);
    assert.deepEqual(parseLimits(['daily=$5', 'month=2m', 'over=local']), {
      limits: [
        { window: 'day', unit: 'nanoUsd', amount: 5_000_000_000 },
        { window: 'month', unit: 'tokens', amount: 2_000_000 },
      ],
      overBudget: 'local',
    });
    assert.throws(() => parseLimits(['weekly=$5']), /unknown window/);
  });

  it('API_KEYS keeps its old form and takes limits after semicolons; a bad limit names the variable, never the key', () => {
    const config = loadConfig({ API_KEYS: 'alpha;day=$5;month=$100,beta;minute=1000;over=local,gamma', ADMIN_API_KEYS: 'root', BUDGET_GLOBAL: 'day=$50' });
    assert.deepEqual(config.security.apiKeys, ['alpha', 'beta', 'gamma']);
    assert.deepEqual(config.security.adminApiKeys, ['root']);
    const beta = config.spend.clientBudgets.find((entry) => entry.apiKey === 'beta')!;
    assert.deepEqual(beta, { apiKey: 'beta', admin: false, limits: [{ window: 'minute', unit: 'tokens', amount: 1000 }], overBudget: 'local' });
    assert.deepEqual(config.spend.globalLimits, [{ window: 'day', unit: 'nanoUsd', amount: 50_000_000_000 }]);
    assert.equal(config.spend.degradeAt, 0.8);
    const error = (() => {
      try {
        loadConfig({ API_KEYS: 'sekrit-key;day=lots' });
      } catch (caught) {
        return caught as Error;
      }
    })();
    assert.ok(error instanceof ConfigError && /API_KEYS/.test(error.message) && !error.message.includes('sekrit'), error?.message);
    assert.throws(() => loadConfig({ PRICES: '{"anthropic/x": {"input": -1, "output": 2}}' }), /PRICES/);
    assert.throws(
      () => loadConfig({ ANTHROPIC_API_KEY: 'k', ANTHROPIC_TIMEOUT_SECONDS: '30', BUDGET_RESERVATION_TTL_SECONDS: '20' }),
      /BUDGET_RESERVATION_TTL_SECONDS must be longer than the longest provider timeout \(30 s\)/,
    );
    const priced = loadConfig({ PRICES: '{"anthropic/claude-opus-4-1": {"input": 1, "output": 2}}' });
    assert.deepEqual(priceOf(priced.spend.prices, 'anthropic', 'claude-opus-4-1'), { input: 1000, output: 2000, cacheRead: 1000, cacheWrite: 1000 });
  });

  it('windows are UTC calendar spans with their reset time', () => {
    assert.deepEqual(windowOf('day', NOW), { id: 'day:2026-11-30', startsAtMs: Date.UTC(2026, 10, 30), resetsAtMs: Date.UTC(2026, 11, 1) });
    assert.deepEqual(windowOf('month', NOW), { id: 'month:2026-11', startsAtMs: Date.UTC(2026, 10, 1), resetsAtMs: Date.UTC(2026, 11, 1) });
    assert.equal(windowOf('minute', NOW).resetsAtMs, Date.UTC(2026, 10, 30, 13, 46));
    assert.equal(windowOf('month', Date.UTC(2026, 11, 31, 23, 59)).resetsAtMs, Date.UTC(2027, 0, 1));
  });

  it('a call is charged to the key and the global ledgers: tracked windows always, limited ones with their tightest limit', () => {
    const ledgers = callLedgers(
      { scope: 'key:1', limits: [{ window: 'day', unit: 'tokens', amount: 100 }, { window: 'day', unit: 'tokens', amount: 50 }, { window: 'minute', unit: 'nanoUsd', amount: 7 }] },
      [],
      NOW,
    );
    assert.deepEqual(
      ledgers.map((ledger) => [ledger.key, ledger.limit]),
      [
        ['key:1|day:2026-11-30', { tokens: 50 }],
        ['key:1|month:2026-11', {}],
        ['key:1|minute:2026-11-30T13:45', { nanoUsd: 7 }],
        ['global|day:2026-11-30', {}],
        ['global|month:2026-11', {}],
      ],
    );
    assert.equal(ledgersFor([], NOW).length, 0);
  });

  it('the reservation rule: spent + reserved + this call within every limited unit', () => {
    const state = { spent: { tokens: 60, nanoUsd: 0 }, reserved: { tokens: 30, nanoUsd: 0 } };
    assert.equal(fitsWithin(state, { tokens: 10, nanoUsd: 999 }, { tokens: 100 }), true);
    assert.equal(fitsWithin(state, { tokens: 11, nanoUsd: 0 }, { tokens: 100 }), false);
    assert.equal(fitsWithin(state, { tokens: 1, nanoUsd: 1 }, { nanoUsd: 0 }), false);
    assert.equal(fitsWithin(state, { tokens: 1e9, nanoUsd: 1e9 }, {}), true);
    assert.equal(spentRatio({ tokens: 80, nanoUsd: 1 }, { tokens: 100, nanoUsd: 10 }), 0.8);
  });

  it('the worst case bounds the prompt by its UTF-8 bytes and prices every input token at the dearest input rate', () => {
    const bound = promptTokensUpperBound(['système', 'abc']);
    assert.equal(bound, 16 + (8 + 16) + (3 + 16));
    const opus = priceOf(DEFAULT_PRICES, 'anthropic', 'claude-opus-4-1');
    assert.deepEqual(worstCaseOf(1000, 100, opus), { tokens: 1100, nanoUsd: 1000 * 18_750 + 100 * 75_000 });
  });

  it('in-process store: concurrent reservations never exceed a limit; settling frees room and records the real cost; expired ones lapse', async () => {
    let now = NOW;
    const store = new MemoryBudgetStore(() => now);
    const ledgers = callLedgers({ scope: 'key:a', limits: [{ window: 'day', unit: 'tokens', amount: 1000 }] }, [], now);
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => store.reserve({ id: `r${i}`, ledgers, amount: { tokens: 100, nanoUsd: 5 }, ttlMs: 60_000 })));
    assert.equal(outcomes.filter((outcome) => outcome.ok).length, 10);
    const refused = outcomes.find((outcome) => !outcome.ok);
    assert.ok(refused && !refused.ok && refused.ledger.key === 'key:a|day:2026-11-30' && refused.state.reserved.tokens === 1000);
    await store.settle('r0', ledgers, { tokens: 40, nanoUsd: 2 });
    assert.equal((await store.reserve({ id: 'x', ledgers, amount: { tokens: 60, nanoUsd: 0 }, ttlMs: 60_000 })).ok, true);
    const [day] = await store.read(['key:a|day:2026-11-30']);
    assert.deepEqual(day, { key: 'key:a|day:2026-11-30', spent: { tokens: 40, nanoUsd: 2 }, reserved: { tokens: 960, nanoUsd: 45 }, reservations: 10 });
    now += 60_001;
    const [lapsed] = await store.read(['key:a|day:2026-11-30']);
    assert.deepEqual(lapsed!.reserved, { tokens: 0, nanoUsd: 0 });
    assert.deepEqual((await store.listWindows(['month:2026-11'])).map((report) => report.key), ['key:a|month:2026-11', 'global|month:2026-11']);
  });

  it('in-process store: a batch settles all its reservations at once, and a retried settlement records nothing twice', async () => {
    const store = new MemoryBudgetStore(() => NOW);
    const ledgers = callLedgers({ scope: 'key:b', limits: [{ window: 'day', unit: 'tokens', amount: 1000 }] }, [], NOW);
    for (const id of ['batch-1/item-0', 'batch-1/item-1']) assert.equal((await store.reserve({ id, ledgers, amount: { tokens: 400, nanoUsd: 40 }, ttlMs: 60_000 })).ok, true);
    const settlements = [
      { id: 'batch-1/item-0', actual: { tokens: 120, nanoUsd: 9 } },
      { id: 'batch-1/item-1', actual: { tokens: 400, nanoUsd: 40 } },
    ];
    await store.settleOnce('batch-1', ledgers, settlements);
    await store.settleOnce('batch-1', ledgers, settlements);
    const [day] = await store.read(['key:b|day:2026-11-30']);
    assert.deepEqual(day, { key: 'key:b|day:2026-11-30', spent: { tokens: 520, nanoUsd: 49 }, reserved: { tokens: 0, nanoUsd: 0 }, reservations: 0 });
  });
});

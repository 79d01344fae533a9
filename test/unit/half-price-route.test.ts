import assert from 'node:assert/strict';
import { halfPriceRouteAllowed } from '../../shared/core/spend/half-price-route';
import type { BudgetLimit } from '../../shared/core/spend/budget';

describe('spend: which requests may take the half-price (batch API) route', () => {
  const limit: BudgetLimit = { window: 'day', unit: 'nanoUsd', amount: 5_000_000_000 };

  it('allows it when no limit applies', () => {
    assert.equal(halfPriceRouteAllowed({ global: [] }), true);
    assert.equal(halfPriceRouteAllowed({ client: [], global: [] }), true);
  });

  it("refuses it when the key's budget or the global budget has a limit: batch submissions are not reserved", () => {
    assert.equal(halfPriceRouteAllowed({ client: [limit], global: [] }), false);
    assert.equal(halfPriceRouteAllowed({ client: [], global: [limit] }), false);
  });
});

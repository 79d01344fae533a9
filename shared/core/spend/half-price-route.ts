/**
 * Provider batch submissions are not yet reserved in budgets the way every synchronous request is
 * (activities/providers/budget-guard.ts). So that a limit can never be overspent, a request that any
 * limit applies to (its key's or the global one) takes the synchronous route even when it asked for
 * the half-price one; unlimited keys keep the batch route.
 */
import type { BudgetLimit } from './budget';

export function halfPriceRouteAllowed(limits: { client?: readonly BudgetLimit[]; global: readonly BudgetLimit[] }): boolean {
  return (limits.client ?? []).length === 0 && limits.global.length === 0;
}

/**
 * Every provider request goes through the budget: before it, its worst case (a prompt-token upper bound
 * plus max_tokens at the model's dearest prices) is reserved in every ledger it is charged to; after it,
 * the reservation is settled to what the provider's usage says it cost. A request the budget cannot
 * hold is not sent: BudgetExceededError, which the activity reports as a non-retryable BudgetExceeded.
 */
import { randomUUID } from 'node:crypto';
import type { BudgetStore } from '../../shared/adapters/budget-store';
import { callLedgers, promptTokensUpperBound, worstCaseOf, ZERO, type Amount, type BudgetLimit, type LedgerLimits, type LedgerState } from '../../shared/core/spend/budget';
import { costOf, type ModelPrice } from '../../shared/core/spend/prices';
import { totalTokens } from '../../shared/core/spend/usage';
import type { LlmClient } from './llm-clients';

export class BudgetExceededError extends Error {
  constructor(
    readonly ledger: LedgerLimits,
    readonly state: LedgerState,
    readonly worstCase: Amount,
  ) {
    super(`budget ${ledger.key} cannot hold this request's worst case (${worstCase.tokens} tokens, ${worstCase.nanoUsd} nano-USD)`);
    this.name = 'BudgetExceededError';
  }
}

/** The SDKs' APIError carries the HTTP status of the provider's error answer; connection errors and aborts have none. */
export const answeredWithError = (error: unknown): boolean => typeof (error as { status?: unknown } | null)?.status === 'number';

export interface BudgetGuard {
  store: BudgetStore;
  /** The job's client key and its limits; undefined when the API is open or the job started elsewhere. */
  client?: { scope: string; limits: BudgetLimit[] };
  globalLimits: BudgetLimit[];
  price: ModelPrice;
  reservationTtlMs: number;
  /** Settling failed (Redis away): the reservation expires by itself, the spend is missing from the ledger. */
  onSettleError?: (error: Error) => void;
}

export function withBudget(client: LlmClient, guard: BudgetGuard): LlmClient {
  return {
    async complete(request) {
      const texts = [request.prompt.system, ...request.prompt.messages.map((message) => message.content)];
      const worstCase = worstCaseOf(promptTokensUpperBound(texts), request.maxTokens, guard.price);
      const ledgers = callLedgers(guard.client, guard.globalLimits, Date.now());
      const id = randomUUID();
      const limited = ledgers.some((ledger) => Object.keys(ledger.limit).length > 0);
      const outcome = await guard.store.reserve({ id, ledgers, amount: worstCase, ttlMs: guard.reservationTtlMs }).catch((error: Error) => {
        // Without a limit there is nothing to protect: the call goes on, its spend is recorded if the store is back by then.
        if (limited) throw new Error(`budget store unavailable, the request was not sent: ${error.message}`);
        return { ok: true as const };
      });
      if (!outcome.ok) throw new BudgetExceededError(outcome.ledger, outcome.state, worstCase);
      let actual: Amount = worstCase;
      try {
        const completion = await client.complete(request);
        actual = { tokens: totalTokens(completion.usage), nanoUsd: costOf(completion.usage, guard.price) };
        return completion;
      } catch (error) {
        // An HTTP error answer is not billed. A request given up on (timeout, abort, lost connection) may
        // still have been processed and billed: it stays charged at its worst case.
        if (answeredWithError(error)) actual = ZERO;
        throw error;
      } finally {
        await guard.store.settle(id, ledgers, actual).catch((error: Error) => guard.onSettleError?.(error));
      }
    },
  };
}

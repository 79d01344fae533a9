/**
 * A provider batch goes through the budget item by item, as synchronous requests do: before it is
 * submitted, each item's worst case at the batch price is reserved in the job's client ledgers and the
 * global ones (the same store and rule as budget-guard.ts); an item the budget cannot hold is left out
 * of the batch. The reservations live until the batch is settled (settleAnalysisBatch) or their TTL.
 */
import { randomUUID } from 'node:crypto';
import type { BudgetStore } from '../../shared/adapters/budget-store';
import { callLedgers, promptTokensUpperBound, ZERO, type Amount, type BudgetLimit } from '../../shared/core/spend/budget';
import { batchSettlement, batchWorstCaseOf, itemReservationId, type BatchReservation } from '../../shared/core/spend/batch-spend';
import type { ModelPrice } from '../../shared/core/spend/prices';
import type { ChatPrompt } from '../../shared/core/providers/prompt';
import { BudgetExceededError } from './budget-guard';

export interface BatchBudget {
  store: BudgetStore;
  client?: { scope: string; limits: BudgetLimit[] };
  globalLimits: BudgetLimit[];
  price: ModelPrice;
  ttlMs: number;
}

export interface ReservedBatch {
  reservation: BatchReservation;
  /** Custom ids the budget holds, in the order given. */
  admitted: string[];
  refused: { customId: string; message: string }[];
}

export async function reserveBatchItems(
  budget: BatchBudget,
  items: { customId: string; prompt: ChatPrompt; maxTokens: number }[],
): Promise<ReservedBatch> {
  const ledgers = callLedgers(budget.client, budget.globalLimits, Date.now());
  const reservation: BatchReservation = { id: randomUUID(), ledgers, worstCase: {} };
  const limited = ledgers.some((ledger) => Object.keys(ledger.limit).length > 0);
  const admitted: string[] = [];
  const refused: ReservedBatch['refused'] = [];
  for (const { customId, prompt, maxTokens } of items) {
    const worstCase = batchWorstCaseOf(promptTokensUpperBound([prompt.system, ...prompt.messages.map((message) => message.content)]), maxTokens, budget.price);
    let outcome;
    try {
      outcome = await budget.store.reserve({ id: itemReservationId(reservation.id, customId), ledgers, amount: worstCase, ttlMs: budget.ttlMs });
    } catch (error) {
      // Without a limit there is nothing to protect: the item goes, its spend is recorded at settlement.
      if (!limited) outcome = { ok: true as const };
      else {
        await settleBatch(budget.store, reservation, nothingCharged(reservation)).catch(() => undefined);
        throw new Error(`budget store unavailable, the batch was not sent: ${(error as Error).message}`);
      }
    }
    if (outcome.ok) {
      reservation.worstCase[customId] = worstCase;
      admitted.push(customId);
    } else {
      refused.push({ customId, message: new BudgetExceededError(outcome.ledger, outcome.state, worstCase).message });
    }
  }
  return { reservation, admitted, refused };
}

/**
 * Settles every reservation of a batch, once (a retried call records nothing twice): each item at what
 * the provider reported (`reported`), the others at their worst case (see batchSettlement).
 */
export function settleBatch(store: BudgetStore, reservation: BatchReservation, reported: Record<string, Amount> = {}): Promise<void> {
  const settlements = batchSettlement(reservation, reported).map(({ customId, actual }) => ({ id: itemReservationId(reservation.id, customId), actual }));
  return store.settleOnce(reservation.id, reservation.ledgers, settlements);
}

/** Every item of the reservation at no cost: for a batch the provider refused with an error answer. */
export const nothingCharged = (reservation: BatchReservation): Record<string, Amount> => Object.fromEntries(Object.keys(reservation.worstCase).map((customId) => [customId, ZERO]));

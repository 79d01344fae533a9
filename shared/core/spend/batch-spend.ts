/**
 * Spend on the half-price route: what a provider batch holds in the budget per item while it waits,
 * what each item is settled to once the batch is over, and what the route saved against the synchronous
 * price. Pure and bundle-safe (the deferred workflows import it).
 */
import { pollsWithin, type DeferredSchedule } from '../providers/batch-route';
import { worstCaseOf, ZERO, type Amount, type LedgerLimits } from './budget';
import { batchDiscountOf, batchPriceOf, costOf, type ModelPrice } from './prices';
import { promptTokens, totalTokens, type TokenUsage } from './usage';

/** The reservations of one submitted batch: one per item sent, all in the same ledgers. */
export interface BatchReservation {
  /** Names the settlement (which happens once); each item's reservation is `<id>/<customId>`. */
  id: string;
  ledgers: LedgerLimits[];
  /** Worst case held for each item sent, by custom id. */
  worstCase: Record<string, Amount>;
}

export const itemReservationId = (reservationId: string, customId: string): string => `${reservationId}/${customId}`;

/** Held beyond the batch's longest wait: the last check, cancelling or collecting, and settling, with their retries. */
export const BATCH_SETTLE_MARGIN_MS = 60 * 60 * 1000;

/** A batch's reservations outlive the longest the job waits for it (every status check) plus the margin. */
export function batchReservationTtlMs(schedule: DeferredSchedule): number {
  return pollsWithin(schedule) * schedule.pollIntervalMs + BATCH_SETTLE_MARGIN_MS;
}

/** The most one batch item can cost: its prompt's token bound plus max_tokens, at the batch price. */
export const batchWorstCaseOf = (promptTokens: number, maxTokens: number, price: ModelPrice): Amount => worstCaseOf(promptTokens, maxTokens, batchPriceOf(price));

/** What the ledgers are charged for an item the provider answered: its usage at the batch price. */
export const batchChargeOf = (usage: TokenUsage, price: ModelPrice): Amount => ({ tokens: totalTokens(usage), nanoUsd: costOf(usage, batchPriceOf(price)) });

/**
 * What each reserved item settles to. `reported` holds what the provider's results said of an item: its
 * usage at the batch price, 0 for one it reports errored, expired or cancelled (those are not billed).
 * An item the provider said nothing of — the batch was cancelled at the longest wait or with its job,
 * its results could not be read, or they leave the item out — settles to its worst case: the provider
 * may have run it, and a budget must not be overspent because an answer was lost.
 */
export function batchSettlement(reservation: BatchReservation, reported: Record<string, Amount> = {}): { customId: string; actual: Amount }[] {
  return Object.entries(reservation.worstCase).map(([customId, worstCase]) => ({ customId, actual: reported[customId] ?? worstCase }));
}

export const sumAmounts = (amounts: readonly Amount[]): Amount =>
  amounts.reduce((sum, amount) => ({ tokens: sum.tokens + amount.tokens, nanoUsd: sum.nanoUsd + amount.nanoUsd }), { ...ZERO });

/** What answers through the batch API cost, and what the same tokens would have cost synchronously less that. */
export interface BatchSavings {
  /** Share of the synchronous price the batch API takes off. */
  discount: number;
  /** Prompt tokens (cache reads and writes included) and answer tokens billed at the batch price. */
  inputTokens: number;
  outputTokens: number;
  /** Paid at the batch price, in nano-dollars. */
  costNanoUsd: number;
  /** The synchronous price of the same usage minus what was paid, in nano-dollars. */
  savedNanoUsd: number;
}

export function batchSavingsOf(usage: TokenUsage, price: ModelPrice): BatchSavings {
  const paid = costOf(usage, batchPriceOf(price));
  return { discount: batchDiscountOf(price), inputTokens: promptTokens(usage), outputTokens: usage.outputTokens, costNanoUsd: paid, savedNanoUsd: costOf(usage, price) - paid };
}

export function addSavings(total: BatchSavings | undefined, more: BatchSavings): BatchSavings {
  if (!total) return more;
  return {
    discount: more.discount,
    inputTokens: total.inputTokens + more.inputTokens,
    outputTokens: total.outputTokens + more.outputTokens,
    costNanoUsd: total.costNanoUsd + more.costNanoUsd,
    savedNanoUsd: total.savedNanoUsd + more.savedNanoUsd,
  };
}

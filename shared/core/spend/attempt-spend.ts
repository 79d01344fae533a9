/**
 * What each provider attempt cost. An activity attempt carries the list of the attempts before it in its
 * heartbeat details (Temporal hands them to the next attempt), so the step that ends, in success or
 * failure, reports every attempt, the failed ones and their repair requests included.
 */
import { costOf, type ModelPrice } from './prices';
import { promptTokens, type TokenUsage } from './usage';

export interface AttemptSpend {
  attempt: number;
  model: string;
  /** `success`, or the attempt's error type. */
  outcome: string;
  /** Prompt tokens as the provider counted them, cache reads and writes included. */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Exact cost in nano-dollars (1e-9 USD). */
  costNanoUsd: number;
}

export function attemptSpendOf(attempt: number, model: string, outcome: string, usage: TokenUsage, price: ModelPrice): AttemptSpend {
  return {
    attempt,
    model,
    outcome,
    inputTokens: promptTokens(usage),
    outputTokens: usage.outputTokens,
    cacheReadTokens: usage.cacheReadTokens,
    cacheWriteTokens: usage.cacheWriteTokens,
    costNanoUsd: costOf(usage, price),
  };
}

const isAttemptSpend = (value: unknown): value is AttemptSpend =>
  !!value && typeof value === 'object' && typeof (value as AttemptSpend).attempt === 'number' && typeof (value as AttemptSpend).costNanoUsd === 'number';

/** The earlier attempts' spend from the heartbeat details a retried activity attempt receives. */
export function earlierAttemptSpend(heartbeatDetails: unknown): AttemptSpend[] {
  const list = (heartbeatDetails as { attemptSpend?: unknown } | undefined)?.attemptSpend;
  return Array.isArray(list) ? list.filter(isAttemptSpend) : [];
}

export interface SpendTotals {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costNanoUsd: number;
}

export function sumSpend(attempts: readonly Partial<SpendTotals>[]): SpendTotals {
  const total: SpendTotals = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costNanoUsd: 0 };
  for (const attempt of attempts) {
    total.inputTokens += attempt.inputTokens ?? 0;
    total.outputTokens += attempt.outputTokens ?? 0;
    total.cacheReadTokens += attempt.cacheReadTokens ?? 0;
    total.cacheWriteTokens += attempt.cacheWriteTokens ?? 0;
    total.costNanoUsd += attempt.costNanoUsd ?? 0;
  }
  return total;
}

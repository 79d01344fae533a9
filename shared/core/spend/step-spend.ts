/** A provider step's tokens and cost for the job's chain, from what its activity reported (answer meta or failure details). */
import { sumSpend, type AttemptSpend } from './attempt-spend';

export interface StepSpend {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  costNanoUsd?: number;
  attemptSpend?: AttemptSpend[];
}

/**
 * Every attempt of the step when the activity listed them (failed attempts and repair requests
 * included); otherwise, as activities of earlier releases report, the last attempt's tokens only.
 */
export function stepSpendOf(reported: { inputTokens?: number; outputTokens?: number; attemptSpend?: AttemptSpend[] }): StepSpend {
  if (!reported.attemptSpend) return { inputTokens: reported.inputTokens ?? 0, outputTokens: reported.outputTokens ?? 0 };
  const total = sumSpend(reported.attemptSpend);
  return { ...total, attemptSpend: reported.attemptSpend };
}

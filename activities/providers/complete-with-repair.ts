import type { AnalysisContent } from '../../shared/core/analysis-result';
import { parseAnalysisReply } from '../../shared/core/providers/parse-analysis';
import { buildRepairPrompt, type ChatPrompt } from '../../shared/core/providers/prompt';
import { addUsage, type TokenUsage } from '../../shared/core/spend/usage';
import type { LlmClient } from './llm-clients';

/** Thrown when the answer is still invalid after the repair request; classified as InvalidOutput. */
export class InvalidOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidOutputError';
  }
}

/**
 * One request, and when its answer does not validate, one repair request naming the problem. Tokens of
 * both are added to `usage` as they arrive, so a failure still reports what it cost.
 */
export async function completeWithOneRepair(
  client: LlmClient,
  request: { model: string; prompt: ChatPrompt; maxTokens: number; signal: AbortSignal },
  usage: TokenUsage,
  onRepair: (problem: string) => void,
): Promise<AnalysisContent> {
  let reply = await client.complete(request);
  Object.assign(usage, addUsage(usage, reply.usage));
  let parsed = parseAnalysisReply(reply.text);
  if (parsed.ok) return parsed.content;
  onRepair(parsed.problem);
  reply = await client.complete({ ...request, prompt: buildRepairPrompt(request.prompt, reply.text, parsed.problem) });
  Object.assign(usage, addUsage(usage, reply.usage));
  parsed = parseAnalysisReply(reply.text);
  if (parsed.ok) return parsed.content;
  throw new InvalidOutputError(`invalid output twice: ${parsed.problem}`);
}

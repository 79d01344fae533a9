/**
 * Token usage as the service bills it, normalized from each provider's own fields. Every field is a
 * disjoint count, so a cost is a plain sum of count × price:
 * - Anthropic: `input_tokens` excludes the cache; `cache_creation_input_tokens` and `cache_read_input_tokens` come on top.
 * - OpenAI: `prompt_tokens` includes `prompt_tokens_details.cached_tokens`; only the rest is billed at the input price.
 */
export interface TokenUsage {
  /** Prompt tokens billed at the input price (cache reads and writes not included). */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export const NO_USAGE: TokenUsage = Object.freeze({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0);

export interface AnthropicUsageFields {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export function fromAnthropicUsage(usage: AnthropicUsageFields | null | undefined): TokenUsage {
  return {
    inputTokens: count(usage?.input_tokens),
    outputTokens: count(usage?.output_tokens),
    cacheReadTokens: count(usage?.cache_read_input_tokens),
    cacheWriteTokens: count(usage?.cache_creation_input_tokens),
  };
}

export interface OpenAiUsageFields {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
}

export function fromOpenAiUsage(usage: OpenAiUsageFields | null | undefined): TokenUsage {
  const prompt = count(usage?.prompt_tokens);
  // A server reporting more cached than prompt tokens is wrong; the prompt count is the bill's upper bound.
  const cached = Math.min(prompt, count(usage?.prompt_tokens_details?.cached_tokens));
  return { inputTokens: prompt - cached, outputTokens: count(usage?.completion_tokens), cacheReadTokens: cached, cacheWriteTokens: 0 };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

/** Every token the provider processed: what a budget in tokens counts. */
export const totalTokens = (usage: TokenUsage): number => usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;

/** Prompt tokens as the provider counted them (cache included), the service's `inputTokens` before cache accounting. */
export const promptTokens = (usage: TokenUsage): number => usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;

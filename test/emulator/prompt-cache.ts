/**
 * Prompt caching as the two providers bill it, so the usage the emulator answers with has realistic cache
 * fields. Anthropic caches the prefix up to a `cache_control` breakpoint (written on first use, read
 * after) and reports those tokens on top of `input_tokens`; OpenAI caches automatically, prompts of 1024
 * tokens or more, in 128-token steps of the longest prefix seen before, and counts them inside `prompt_tokens`.
 */
import { createHash } from 'node:crypto';
import { estimateTokens } from './faults';

/** Neither provider caches shorter prefixes. */
export const MIN_CACHEABLE_TOKENS = 1024;
const OPENAI_STEP_CHARS = 128 * 4;

export interface CacheSplit {
  /** Prompt tokens billed as plain input. */
  input: number;
  cacheRead: number;
  cacheWrite: number;
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

export class PromptCache {
  private readonly seen = new Set<string>();

  /** Anthropic: `prefix` is the text up to the last cache breakpoint ('' when the request set none). */
  anthropic(promptText: string, prefix: string): CacheSplit {
    const total = estimateTokens(promptText);
    const prefixTokens = Math.min(total, estimateTokens(prefix));
    if (prefix === '' || prefixTokens < MIN_CACHEABLE_TOKENS) return { input: total, cacheRead: 0, cacheWrite: 0 };
    const key = `anthropic:${digest(prefix)}`;
    const hit = this.seen.has(key);
    this.seen.add(key);
    return { input: total - prefixTokens, cacheRead: hit ? prefixTokens : 0, cacheWrite: hit ? 0 : prefixTokens };
  }

  /** OpenAI: the longest 128-token-step prefix (of at least 1024 tokens) an earlier request had. */
  openai(promptText: string): CacheSplit {
    const total = estimateTokens(promptText);
    let cachedChars = 0;
    for (let end = MIN_CACHEABLE_TOKENS * 4; end <= promptText.length; end += OPENAI_STEP_CHARS) {
      const key = `openai:${digest(promptText.slice(0, end))}`;
      // Every step of a prompt is remembered, so a seen step means every shorter one was seen too.
      if (this.seen.has(key)) cachedChars = end;
      this.seen.add(key);
    }
    const cacheRead = Math.min(total, cachedChars / 4);
    return { input: total - cacheRead, cacheRead, cacheWrite: 0 };
  }

  clear(): void {
    this.seen.clear();
  }
}

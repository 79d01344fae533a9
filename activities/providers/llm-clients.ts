/**
 * Thin adapters over the provider SDKs: one `complete` call, no retries (Temporal owns them), the
 * activity's cancellation signal passed through so a cancelled job closes the HTTP request.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { RemoteProviderConfig } from '../../shared/config';
import type { ChatPrompt } from '../../shared/core/providers/prompt';
import { fromAnthropicUsage, fromOpenAiUsage, type TokenUsage } from '../../shared/core/spend/usage';

export interface CompletionRequest {
  model: string;
  prompt: ChatPrompt;
  maxTokens: number;
  signal: AbortSignal;
}

export interface Completion {
  text: string;
  /** Normalized: cache reads and writes apart from the other input tokens, whatever the provider's convention. */
  usage: TokenUsage;
}

export interface LlmClient {
  complete(request: CompletionRequest): Promise<Completion>;
}

/** OpenAI-compatible servers (Ollama, vLLM) often need no key, but the SDK insists on one. */
const PLACEHOLDER_KEY = 'not-needed';

export function createLlmClient(config: RemoteProviderConfig): LlmClient {
  return config.name === 'anthropic' ? anthropicClient(config) : openaiClient(config);
}

function anthropicClient(config: RemoteProviderConfig): LlmClient {
  const sdk = new Anthropic({
    apiKey: config.apiKey,
    baseURL: config.baseUrl,
    maxRetries: 0,
    timeout: config.timeoutMs,
    // The SDK's own call span (when tracing is on) records metadata only, whatever ANTHROPIC_OPEN_TELEMETRY_* say: no document text in traces.
    openTelemetry: { traces: { enabled: true, contentMode: 'metadata_only' } },
  });
  return {
    async complete({ model, prompt, maxTokens, signal }) {
      const message = await sdk.messages.create(
        { model, max_tokens: maxTokens, system: prompt.system, messages: prompt.messages },
        { signal },
      );
      const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
      return { text, usage: fromAnthropicUsage(message.usage) };
    },
  };
}

function openaiClient(config: RemoteProviderConfig): LlmClient {
  const sdk = new OpenAI({
    apiKey: config.apiKey ?? PLACEHOLDER_KEY,
    baseURL: config.baseUrl,
    maxRetries: 0,
    timeout: config.timeoutMs,
  });
  return {
    async complete({ model, prompt, maxTokens, signal }) {
      const completion = await sdk.chat.completions.create(
        {
          model,
          // `max_tokens` rather than `max_completion_tokens`: compatible servers (Ollama, vLLM) only know the former.
          max_tokens: maxTokens,
          messages: [{ role: 'system', content: prompt.system }, ...prompt.messages],
        },
        { signal },
      );
      return {
        text: completion.choices[0]?.message.content ?? '',
        usage: fromOpenAiUsage(completion.usage),
      };
    },
  };
}

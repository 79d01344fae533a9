/**
 * Thin adapters over the providers' batch APIs (Anthropic Message Batches; OpenAI Batch with a JSONL
 * input file), through the real SDKs with their retries off: Temporal retries the activity.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { toFile } from 'openai';
import type { RemoteProviderConfig } from '../../shared/config';
import { FAILURE_TYPES } from '../../shared/core/failure-types';
import type { BatchProviderName } from '../../shared/core/providers/batch-route';
import type { ChatPrompt } from '../../shared/core/providers/prompt';
import { fromAnthropicUsage, fromOpenAiUsage, type OpenAiUsageFields, type TokenUsage } from '../../shared/core/spend/usage';

export interface BatchItemRequest {
  customId: string;
  model: string;
  prompt: ChatPrompt;
  maxTokens: number;
}

export type BatchItemAnswer =
  | { customId: string; ok: true; text: string; usage: TokenUsage }
  | { customId: string; ok: false; errorType: string; message: string };

export interface BatchClient {
  submit(requests: BatchItemRequest[]): Promise<string>;
  /** ended: results can be read (whatever became of each item). */
  status(batchId: string): Promise<{ ended: boolean; status: string }>;
  /** One answer per item the provider reports; items it does not mention are left out. */
  results(batchId: string): Promise<BatchItemAnswer[]>;
  cancel(batchId: string): Promise<void>;
}

/** Batch calls are small JSON exchanges; a generous per-request timeout, no SDK retries. */
const BATCH_CALL_TIMEOUT_MS = 60_000;
const PLACEHOLDER_KEY = 'not-needed';

export function createBatchClient(provider: BatchProviderName, config: RemoteProviderConfig): BatchClient {
  return provider === 'anthropic' ? anthropicBatches(config) : openaiBatches(config);
}

const errored = (customId: string, message: string): BatchItemAnswer => ({ customId, ok: false, errorType: FAILURE_TYPES.batchItemErrored, message });
const expired = (customId: string, message: string): BatchItemAnswer => ({ customId, ok: false, errorType: FAILURE_TYPES.batchItemExpired, message });

function anthropicBatches(config: RemoteProviderConfig): BatchClient {
  const sdk = new Anthropic({ apiKey: config.apiKey, baseURL: config.baseUrl, maxRetries: 0, timeout: BATCH_CALL_TIMEOUT_MS });
  return {
    async submit(requests) {
      const batch = await sdk.messages.batches.create({
        requests: requests.map(({ customId, model, prompt, maxTokens }) => ({
          custom_id: customId,
          params: { model, max_tokens: maxTokens, system: prompt.system, messages: prompt.messages },
        })),
      });
      return batch.id;
    },
    async status(batchId) {
      const batch = await sdk.messages.batches.retrieve(batchId);
      return { ended: batch.processing_status === 'ended', status: batch.processing_status };
    },
    async results(batchId) {
      const answers: BatchItemAnswer[] = [];
      for await (const { custom_id: customId, result } of await sdk.messages.batches.results(batchId)) {
        if (result.type === 'succeeded') {
          const text = result.message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
          answers.push({ customId, ok: true, text, usage: fromAnthropicUsage(result.message.usage) });
        } else if (result.type === 'errored') {
          answers.push(errored(customId, `anthropic batch item: ${result.error.error.type}: ${result.error.error.message}`));
        } else {
          answers.push(expired(customId, `anthropic batch item ${result.type}`));
        }
      }
      return answers;
    },
    async cancel(batchId) {
      await sdk.messages.batches.cancel(batchId);
    },
  };
}

const OPENAI_ENDED = new Set(['completed', 'expired', 'cancelled', 'failed']);

interface OpenAIOutputLine {
  custom_id: string;
  response: { status_code: number; body: { choices?: { message?: { content?: string | null } }[]; usage?: OpenAiUsageFields; error?: { message?: string } } } | null;
  error: { code?: string; message?: string } | null;
}

function openaiBatches(config: RemoteProviderConfig): BatchClient {
  const sdk = new OpenAI({ apiKey: config.apiKey ?? PLACEHOLDER_KEY, baseURL: config.baseUrl, maxRetries: 0, timeout: BATCH_CALL_TIMEOUT_MS });
  const lines = async (fileId: string | undefined): Promise<OpenAIOutputLine[]> => {
    if (!fileId) return [];
    const text = await (await sdk.files.content(fileId)).text();
    return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as OpenAIOutputLine);
  };
  return {
    async submit(requests) {
      const jsonl = requests
        .map(({ customId, model, prompt, maxTokens }) =>
          JSON.stringify({
            custom_id: customId,
            method: 'POST',
            url: '/v1/chat/completions',
            body: { model, max_tokens: maxTokens, messages: [{ role: 'system', content: prompt.system }, ...prompt.messages] },
          }),
        )
        .join('\n');
      const file = await sdk.files.create({ file: await toFile(Buffer.from(jsonl, 'utf8'), 'analysis-batch.jsonl'), purpose: 'batch' });
      const batch = await sdk.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      return batch.id;
    },
    async status(batchId) {
      const batch = await sdk.batches.retrieve(batchId);
      return { ended: OPENAI_ENDED.has(batch.status), status: batch.status };
    },
    async results(batchId) {
      const batch = await sdk.batches.retrieve(batchId);
      const answers: BatchItemAnswer[] = [];
      for (const line of [...(await lines(batch.output_file_id)), ...(await lines(batch.error_file_id))]) {
        const { custom_id: customId, response, error } = line;
        if (response?.status_code === 200) {
          answers.push({ customId, ok: true, text: response.body.choices?.[0]?.message?.content ?? '', usage: fromOpenAiUsage(response.body.usage) });
        } else if (response) {
          answers.push(errored(customId, `openai batch item: HTTP ${response.status_code}: ${response.body.error?.message ?? 'error'}`));
        } else {
          answers.push(expired(customId, `openai batch item: ${error?.code ?? 'not executed'}: ${error?.message ?? ''}`.trim()));
        }
      }
      return answers;
    },
    async cancel(batchId) {
      await sdk.batches.cancel(batchId);
    },
  };
}

/** The Anthropic Messages API as the emulator speaks it (non-streaming only). */
import { contentText, randomId, type ProviderDialect } from './faults';

/** `error.type` per status, as documented for the Anthropic API. */
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const ERROR_MESSAGES: Record<string, string> = {
  authentication_error: 'invalid x-api-key',
  rate_limit_error: 'Number of request tokens has exceeded your per-minute rate limit',
  overloaded_error: 'Overloaded',
  api_error: 'Internal server error',
  timeout_error: 'Request timed out',
};

export function anthropicErrorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export const anthropicDialect: ProviderDialect = {
  name: 'anthropic',
  completionPath: '/v1/messages',
  modelsPath: '/v1/models',
  requestIdHeader: 'request-id',

  // The installed SDK (1.x) sends `apiKey` as `Authorization: Bearer`; older SDKs and curl send `x-api-key`.
  hasCredentials: (headers) => Boolean(headers['x-api-key']) || /^Bearer\s+\S/i.test(headers.authorization ?? ''),
  missingCredentials: 'x-api-key header is required',

  invalidRequest(body) {
    if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
    if (typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
    if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: Field required';
    if (body.stream === true) return 'stream: streaming is not supported by the provider emulator';
    return undefined;
  },

  promptText(body) {
    const messages = Array.isArray(body.messages) ? (body.messages as { content?: unknown }[]) : [];
    return contentText(body.system) + messages.map((message) => contentText(message?.content)).join('');
  },

  promptUsage(body, cache) {
    // The cached prefix runs to the last system block marked with cache_control.
    const blocks = Array.isArray(body.system) ? (body.system as { text?: unknown; cache_control?: unknown }[]) : [];
    const last = blocks.map((block) => Boolean(block?.cache_control)).lastIndexOf(true);
    const prefix = last < 0 ? '' : contentText(blocks.slice(0, last + 1));
    return cache.anthropic(this.promptText(body), prefix);
  },

  completion: ({ model, text, usage }) => ({
    id: randomId('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: usage.input,
      output_tokens: usage.output,
      cache_creation_input_tokens: usage.cacheWrite ?? 0,
      cache_read_input_tokens: usage.cacheRead ?? 0,
      service_tier: 'standard',
    },
  }),

  errorBody(status, requestId, message) {
    const type = anthropicErrorType(status);
    return { type: 'error', error: { type, message: message ?? ERROR_MESSAGES[type] ?? `HTTP ${status}` }, request_id: requestId };
  },

  models: () => ({
    data: [{ type: 'model', id: 'claude-haiku-4-5', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' }],
    has_more: false,
    first_id: 'claude-haiku-4-5',
    last_id: 'claude-haiku-4-5',
  }),
};

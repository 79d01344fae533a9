/** The OpenAI Chat Completions API as the emulator speaks it (non-streaming only). */
import { contentText, randomId, type ProviderDialect, type TokenUsage } from './faults';

interface OpenAIErrorShape {
  type: string;
  code: string | null;
  message: string;
}

/** `error.type` / `error.code` per status, as the OpenAI API sends them. */
const ERRORS: Record<number, OpenAIErrorShape> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid request' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Country, region, or territory not supported' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist or you do not have access to it.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests. Please try again later.' },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later.' },
};

export function openaiError(status: number): OpenAIErrorShape {
  return ERRORS[status] ?? { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null, message: `HTTP ${status}` };
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)/i.exec(authorization ?? '');
  return match?.[1];
}

export const openaiDialect: ProviderDialect = {
  name: 'openai',
  completionPath: '/v1/chat/completions',
  modelsPath: '/v1/models',
  requestIdHeader: 'x-request-id',

  hasCredentials: (headers) => bearerToken(headers.authorization) !== undefined,
  missingCredentials:
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",

  invalidRequest(body) {
    if (typeof body.model !== 'string' || !body.model) return 'you must provide a model parameter';
    if (!Array.isArray(body.messages) || body.messages.length === 0) return "Missing required parameter: 'messages'.";
    if (body.stream === true) return 'stream: streaming is not supported by the provider emulator';
    return undefined;
  },

  promptText(body) {
    const messages = Array.isArray(body.messages) ? (body.messages as { content?: unknown }[]) : [];
    return messages.map((message) => contentText(message?.content)).join('');
  },

  promptUsage(body, cache) {
    return cache.openai(this.promptText(body));
  },

  completion: ({ model, text, usage }) => ({
    id: randomId('chatcmpl-'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, refusal: null, annotations: [] },
        finish_reason: 'stop',
        logprobs: null,
      },
    ],
    usage: openaiUsage(usage),
    service_tier: 'default',
    system_fingerprint: 'fp_emulator',
  }),

  errorBody(status, _requestId, message) {
    const error = openaiError(status);
    return { error: { message: message ?? error.message, type: error.type, param: null, code: error.code } };
  },

  models: () => ({
    object: 'list',
    data: [{ id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' }],
  }),
};

/** OpenAI counts cached (and, having no separate charge for them, cache-write) tokens inside prompt_tokens. */
function openaiUsage(usage: TokenUsage) {
  const prompt = usage.input + (usage.cacheRead ?? 0) + (usage.cacheWrite ?? 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

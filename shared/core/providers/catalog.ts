/** The providers and model tiers the service knows: plain names the workflows, the API and the config share. */

/** Every provider the service knows, in the order used when LLM_PROVIDERS is not set. */
export const PROVIDER_NAMES = ['anthropic', 'openai', 'openai-compatible', 'local'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** The providers reached over HTTP; each has its own settings, task queue and circuit breaker. */
export const REMOTE_PROVIDERS = ['anthropic', 'openai', 'openai-compatible'] as const;
export type RemoteProviderName = (typeof REMOTE_PROVIDERS)[number];

export const MODEL_TIERS = ['advanced', 'light'] as const;
export type ModelTier = (typeof MODEL_TIERS)[number];

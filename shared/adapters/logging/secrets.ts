/**
 * The last line of defence for "no secrets in logs": every configured secret value is blanked out of
 * each log line before it is written. Code should never log a secret in the first place (request logs
 * carry no headers, config is never logged whole); this catches the mistake that slips through, such
 * as an SDK error message quoting a key.
 */
import type { AppConfig } from '../../config';

export const REDACTED = '[redacted]';
/** Shorter values would blank ordinary words out of every line; no real key is this short. */
const MIN_SECRET_LENGTH = 6;

/** The secret values a process holds: client and admin API keys, provider keys, payload keys, URL passwords. */
export function secretValuesOf(config: AppConfig): string[] {
  const payloadKeys = [config.security.payloadEncryptionKeys, config.security.payloadDecryptOnlyKeys]
    .flatMap((list) => (list ?? '').split(','))
    .map((entry) => entry.slice(entry.indexOf(':') + 1).trim());
  const values = [
    ...config.security.apiKeys,
    ...config.security.adminApiKeys,
    config.providers.anthropic.apiKey,
    config.providers.openai.apiKey,
    config.providers['openai-compatible'].apiKey,
    ...payloadKeys,
    config.security.uiCodecToken,
    passwordOf(config.redisUrl),
  ];
  return [...new Set(values.filter((value): value is string => value !== undefined && value.length >= MIN_SECRET_LENGTH))];
}

function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/** `text` with every occurrence of each secret (also in its JSON-escaped form) replaced by REDACTED. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
      if (result.includes(form)) result = result.split(form).join(REDACTED);
    }
  }
  return result;
}

/**
 * One place that turns whatever an LLM SDK threw into data: a stable failure type, whether a retry can
 * help, and how long the provider asked us to wait. Everything is duck-typed (`status`, `headers`,
 * `code`, `name`), so the Anthropic and OpenAI SDKs, undici/fetch errors and plain objects all work.
 */
import { ApplicationFailure } from '@temporalio/common';
import { nextRetryDelayMs, withUpwardJitter, type BackoffPolicy, type Random } from './backoff';

export const PROVIDER_FAILURE_TYPES = {
  invalidRequest: 'InvalidRequest',
  contextTooLong: 'ContextTooLong',
  authFailed: 'AuthFailed',
  rateLimited: 'RateLimited',
  overloaded: 'Overloaded',
  serverError: 'ServerError',
  timeout: 'Timeout',
  connectionError: 'ConnectionError',
  cancelled: 'Cancelled',
  invalidOutput: 'InvalidOutput',
  circuitOpen: 'CircuitOpen',
  /** The call's worst case did not fit in the client's or the service's budget (no request was sent). */
  budgetExceeded: 'BudgetExceeded',
  unknown: 'Unknown',
} as const;

export type ProviderFailureType = (typeof PROVIDER_FAILURE_TYPES)[keyof typeof PROVIDER_FAILURE_TYPES];

export interface ClassifiedError {
  type: ProviderFailureType;
  retryable: boolean;
  status?: number;
  retryAfterMs?: number;
  message: string;
}

/** Whether a retry can help, per type. InvalidOutput retries because model output varies between calls. */
export const RETRYABLE_BY_TYPE: Readonly<Record<ProviderFailureType, boolean>> = {
  InvalidRequest: false,
  ContextTooLong: false,
  AuthFailed: false,
  RateLimited: true,
  Overloaded: true,
  ServerError: true,
  Timeout: true,
  ConnectionError: true,
  Cancelled: false,
  InvalidOutput: true,
  CircuitOpen: true,
  // Reservations in flight may free room soon, but the job is better served by the next provider now (local costs nothing).
  BudgetExceeded: false,
  Unknown: true,
};

/**
 * Longer Retry-After values are clamped, not dropped: dropping would make us come back sooner than the
 * provider asked. Whether to wait that long at all is the workflow's call (timeouts, fallback provider).
 */
export const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;
/** Provider bodies can be long; failure messages travel through Temporal history. */
export const MAX_MESSAGE_LENGTH = 2000;

const CONTEXT_TOO_LONG = /context[ _-]?length|context window|prompt is too long/i;
const OVERLOADED = /overloaded/i;
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
/** Anthropic/OpenAI `error.type` for failures that arrive without an HTTP status (mid-stream `error` events). */
const BODY_TYPES: Record<string, ProviderFailureType> = {
  overloaded_error: 'Overloaded',
  rate_limit_error: 'RateLimited',
  api_error: 'ServerError',
  server_error: 'ServerError',
  timeout_error: 'Timeout',
  invalid_request_error: 'InvalidRequest',
  not_found_error: 'InvalidRequest',
  authentication_error: 'AuthFailed',
  permission_error: 'AuthFailed',
  billing_error: 'AuthFailed',
};

type Fields = { [key: string]: unknown };
const fieldsOf = (value: unknown): Fields => (typeof value === 'object' && value !== null ? (value as Fields) : {});
const stringField = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function classifyProviderError(error: unknown, options: { now?: number } = {}): ClassifiedError {
  const now = options.now ?? Date.now();
  if (error instanceof ApplicationFailure && isProviderFailureType(error.type)) return fromApplicationFailure(error);
  const fields = fieldsOf(error);
  const message = redactSecrets(messageOf(error));
  const status = statusOf(fields);
  const retryAfterMs = parseRetryAfterMs(fields.headers, now);
  const type = status !== undefined ? typeFromStatus(status, fields, message) : typeWithoutStatus(error, fields, message);
  return {
    type,
    retryable: RETRYABLE_BY_TYPE[type],
    ...(status !== undefined && { status }),
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    message,
  };
}

function typeFromStatus(status: number, fields: Fields, message: string): ProviderFailureType {
  if (status === 401 || status === 402 || status === 403) return 'AuthFailed';
  if (status === 408) return 'Timeout';
  if (status === 409) return 'ServerError';
  if (status === 429) return 'RateLimited';
  if (status === 529 || (status === 503 && (OVERLOADED.test(message) || fields.type === 'overloaded_error'))) return 'Overloaded';
  if (status >= 500 && status <= 599) return 'ServerError';
  if (status >= 400 && status <= 499) return isContextTooLong(fields, message) ? 'ContextTooLong' : 'InvalidRequest';
  return 'Unknown';
}

function typeWithoutStatus(error: unknown, fields: Fields, message: string): ProviderFailureType {
  const bodyType = stringField(fields.type);
  if (bodyType !== undefined && bodyType in BODY_TYPES) {
    const type = BODY_TYPES[bodyType]!;
    return type === 'InvalidRequest' && isContextTooLong(fields, message) ? 'ContextTooLong' : type;
  }
  // The SDKs wrap undici's `TypeError: fetch failed`, which carries the socket error code in its `cause`.
  for (let link: unknown = error, depth = 0; link !== undefined && link !== null && depth < 5; depth++) {
    const type = transportFailureOf(link);
    if (type) return type;
    link = fieldsOf(link).cause;
  }
  return 'Unknown';
}

function transportFailureOf(link: unknown): ProviderFailureType | undefined {
  const names = errorNames(link);
  const code = stringField(fieldsOf(link).code);
  if (names.some((name) => name === 'AbortError' || name === 'APIUserAbortError')) return 'Cancelled';
  if (names.some((name) => name.includes('Timeout')) || (code !== undefined && TIMEOUT_CODES.has(code))) return 'Timeout';
  if (names.includes('APIConnectionError') || (code !== undefined && CONNECTION_CODES.has(code))) return 'ConnectionError';
  if (/socket hang up|connection (reset|refused)/i.test(stringField(fieldsOf(link).message) ?? '')) return 'ConnectionError';
  return undefined;
}

/** `name` plus the class names up the prototype chain: OpenAI's errors keep `name === 'Error'`. */
function errorNames(value: unknown): string[] {
  const names: string[] = [];
  const name = stringField(fieldsOf(value).name);
  if (name) names.push(name);
  for (let proto = typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const ctor: unknown = (proto as Fields).constructor;
    if (typeof ctor === 'function' && ctor.name) names.push(ctor.name);
  }
  return names;
}

function isContextTooLong(fields: Fields, message: string): boolean {
  const body = fieldsOf(fields.error);
  const codes = [fields.code, fields.errorCode, body.code, fieldsOf(body.error).code];
  return codes.includes('context_length_exceeded') || CONTEXT_TOO_LONG.test(message);
}

function statusOf(fields: Fields): number | undefined {
  const status = fields.status ?? fields.statusCode;
  return typeof status === 'number' && Number.isInteger(status) ? status : undefined;
}

function messageOf(error: unknown): string {
  const message = stringField(fieldsOf(error).message) ?? (typeof error === 'string' ? error : undefined);
  const text = message !== undefined && message !== '' ? message : error === undefined || error === null ? 'Unknown error' : safeStringify(error);
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}

function safeStringify(value: unknown): string {
  try {
    return typeof value === 'object' ? JSON.stringify(value) ?? String(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Removes API keys and bearer tokens: provider messages sometimes echo the key that was rejected. */
export function redactSecrets(text: string): string {
  return text
    .replace(/\bsk-[A-Za-z0-9_\-*]{3,}/g, '[REDACTED]')
    .replace(/\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi, 'Bearer [REDACTED]')
    .replace(/\b(api[_-]?key["']?\s*[:=]\s*["']?)[^\s"',;]+/gi, '$1[REDACTED]');
}

/** Reads one header from a WHATWG `Headers` (what both SDKs use) or a plain record in any case. */
function headerValue(headers: unknown, name: string): string | undefined {
  const fields = fieldsOf(headers);
  if (typeof fields.get === 'function') {
    const value: unknown = (fields.get as (key: string) => unknown).call(headers, name);
    return typeof value === 'string' ? value : undefined;
  }
  const key = Object.keys(fields).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : fields[key];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : typeof first === 'number' ? String(first) : undefined;
}

/**
 * `retry-after-ms` (milliseconds) wins; else `retry-after` as seconds or as an HTTP date relative to `now`.
 * Unparseable, zero or negative values mean "no advice"; values above MAX_RETRY_AFTER_MS are clamped.
 */
export function parseRetryAfterMs(headers: unknown, now: number): number | undefined {
  const fromMs = positive(numeric(headerValue(headers, 'retry-after-ms')));
  if (fromMs !== undefined) return Math.min(MAX_RETRY_AFTER_MS, Math.ceil(fromMs));
  const retryAfter = headerValue(headers, 'retry-after')?.trim();
  if (!retryAfter) return undefined;
  const seconds = numeric(retryAfter);
  const delay = positive(seconds !== undefined ? seconds * 1000 : Date.parse(retryAfter) - now);
  return delay === undefined ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.ceil(delay));
}

const numeric = (value: string | undefined): number | undefined =>
  value !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : undefined;
const positive = (value: number | undefined): number | undefined =>
  value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;

function isProviderFailureType(type: string | null | undefined): type is ProviderFailureType {
  return typeof type === 'string' && type in RETRYABLE_BY_TYPE;
}

/** Re-classifying our own failure (e.g. rethrown by a wrapper) gives back what it was made from. */
function fromApplicationFailure(failure: ApplicationFailure): ClassifiedError {
  const details = fieldsOf(failure.details?.[0]);
  const status = typeof details.status === 'number' ? details.status : undefined;
  const retryAfterMs = typeof details.retryAfterMs === 'number' ? details.retryAfterMs : undefined;
  return {
    type: failure.type as ProviderFailureType,
    retryable: !failure.nonRetryable,
    ...(status !== undefined && { status }),
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    message: redactSecrets(failure.message),
  };
}

export interface ToApplicationFailureOptions {
  /** When given, `nextRetryDelay` is the jittered exponential delay with Retry-After as a floor. */
  backoff?: BackoffPolicy & { attempt: number; jitter: number };
  /** Without `backoff`: upward jitter on Retry-After (default 0.2, the design's value). */
  jitter?: number;
  random?: Random;
  /** Extra fields for the failure's details (the attempt record the workflow reads). */
  details?: Record<string, unknown>;
}

/**
 * The failure an activity throws. Without `backoff` and without Retry-After, `nextRetryDelay` is left
 * to the activity's RetryPolicy. The original error is not attached as `cause`: it may carry request data.
 */
export function toApplicationFailure(classified: ClassifiedError, options: ToApplicationFailureOptions = {}): ApplicationFailure {
  const { retryAfterMs } = classified;
  let nextRetryDelay: number | undefined;
  if (classified.retryable && options.backoff) {
    nextRetryDelay = nextRetryDelayMs({ ...options.backoff, retryAfterMs, random: options.random });
  } else if (classified.retryable && retryAfterMs !== undefined) {
    nextRetryDelay = withUpwardJitter(retryAfterMs, options.jitter ?? 0.2, options.random);
  }
  return ApplicationFailure.create({
    type: classified.type,
    message: redactSecrets(classified.message),
    nonRetryable: !classified.retryable,
    ...(nextRetryDelay !== undefined && { nextRetryDelay }),
    // In the details too: a workflow that retries a local attempt itself cannot read nextRetryDelay back.
    details: [{ status: classified.status, retryAfterMs, ...options.details, ...(nextRetryDelay !== undefined && { nextRetryDelayMs: nextRetryDelay }) }],
  });
}

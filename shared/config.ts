import path from 'node:path';
import { z } from 'zod';
import { keyRingOf } from './adapters/payload-codec/keys';
import { PROVIDER_NAMES, REMOTE_PROVIDERS, type ModelTier, type ProviderName, type RemoteProviderName } from './core/providers/catalog';
import { parseSpendConfig, type SpendConfig } from './spend-config';


export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();
const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();
const optionalUrl = optionalString.pipe(z.url().optional());

const positiveNumber = z.coerce.number().positive();
const fraction = z.coerce.number().min(0).max(1);
const postgresUrl = optionalUrl.refine((url) => url === undefined || /^postgres(ql)?:\/\//.test(url), 'must be a postgres:// URL');

/** Env prefix of each remote provider's settings, e.g. ANTHROPIC_TIMEOUT_SECONDS. */
const envPrefix = (provider: RemoteProviderName) => provider.toUpperCase().replace(/-/g, '_');

/**
 * The design's ResilientLLMClient parameters, per provider. Defaults are the design's (timeout 30 s,
 * 3 attempts, backoff 1.5, jitter 0.2, breaker 5 failures / 60 s, 100 requests per minute).
 */
const PROVIDER_DEFAULT_MODELS: Record<RemoteProviderName, { advanced: string; light: string }> = {
  anthropic: { advanced: 'claude-opus-4-1', light: 'claude-3-5-haiku-latest' },
  openai: { advanced: 'gpt-4o', light: 'gpt-4o-mini' },
  'openai-compatible': { advanced: 'llama3.1:70b', light: 'llama3.1:8b' },
};

function providerSettingsSchema(provider: RemoteProviderName) {
  const prefix = envPrefix(provider);
  const models = PROVIDER_DEFAULT_MODELS[provider];
  return {
    [`${prefix}_TIMEOUT_SECONDS`]: positiveNumber.default(30),
    [`${prefix}_RETRY_ATTEMPTS`]: positiveInt.max(20).default(3),
    [`${prefix}_RETRY_INITIAL_INTERVAL_SECONDS`]: positiveNumber.default(1),
    [`${prefix}_RETRY_MAX_INTERVAL_SECONDS`]: positiveNumber.default(60),
    [`${prefix}_BACKOFF_FACTOR`]: z.coerce.number().min(1).default(1.5),
    [`${prefix}_JITTER`]: fraction.default(0.2),
    [`${prefix}_CIRCUIT_BREAKER_THRESHOLD`]: positiveInt.default(5),
    [`${prefix}_CIRCUIT_BREAKER_RECOVERY_SECONDS`]: positiveNumber.default(60),
    // 0: no server-side limit (the provider's own 429s and the gate still apply).
    [`${prefix}_RATE_LIMIT`]: z.coerce.number().min(0).default(100),
    // Where a step's first attempt runs: true, inside the job's workflow task (needs _RATE_LIMIT=0); auto,
    // there while this worker's recent calls took at most _LOCAL_FIRST_MAX_CALL_SECONDS (with _RATE_LIMIT=0); false, never.
    [`${prefix}_LOCAL_FIRST_ATTEMPT`]: z.enum(['auto', 'true', 'false']).default('auto'),
    [`${prefix}_LOCAL_FIRST_MAX_CALL_SECONDS`]: positiveNumber.default(1),
    [`${prefix}_MAX_CONCURRENCY`]: positiveInt.default(10),
    [`${prefix}_MAX_TOKENS`]: positiveInt.default(1024),
    [`${prefix}_MODEL_ADVANCED`]: z.string().trim().min(1).default(models.advanced),
    [`${prefix}_MODEL_LIGHT`]: z.string().trim().min(1).default(models.light),
  } as const;
}

const providerSettingsShape = Object.assign({}, ...REMOTE_PROVIDERS.map(providerSettingsSchema)) as ReturnType<
  typeof providerSettingsSchema
>;

const envSchema = z.object({
  ...providerSettingsShape,
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('analysis'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_DB_FILE: optionalString,
  TEMPORAL_UI_URL: optionalUrl,
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_GRPC_COMPRESSION: z.enum(['none', 'gzip']).default('none'),
  PORT: port.default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().trim().min(1).default('.data'),
  DOCUMENT_MAX_BYTES: positiveInt.default(1024 * 1024),
  REDIS_URL: optionalUrl,
  CACHE_MEMORY_SIZE: z.coerce.number().int().min(0).default(1000),
  CACHE_TTL_SECONDS: positiveNumber.default(24 * 60 * 60),
  CACHE_DISK_ENABLED: z.enum(['true', 'false']).default('true'),
  CACHE_REDIS_PREFIX: z.string().trim().min(1).default('analysis-cache:'),
  CACHE_REDIS_TIMEOUT_MS: positiveInt.default(30),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalUrl,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_COMPATIBLE_API_KEY: optionalString,
  OPENAI_COMPATIBLE_BASE_URL: optionalUrl,
  LLM_PROVIDERS: optionalString,
  HEALTH_CHECK_INTERVAL_SECONDS: positiveNumber.default(30),
  HEALTH_FAILURES_TO_DEGRADE: positiveInt.default(3),
  HEALTH_PASSES_TO_RECOVER: positiveInt.default(3),
  HEALTH_MIN_DWELL_SECONDS: z.coerce.number().min(0).default(300),
  API_KEYS: optionalString,
  ADMIN_API_KEYS: optionalString,
  RATE_LIMIT_PER_MINUTE: positiveInt.default(600),
  REQUEST_TIMEOUT_SECONDS: positiveNumber.default(30),
  PAYLOAD_ENCRYPTION_KEYS: optionalString,
  PAYLOAD_DECRYPT_ONLY_KEYS: optionalString,
  TEMPORAL_UI_CODEC_TOKEN: optionalString.pipe(
    z.string().regex(/^[A-Za-z0-9_-]{24,128}$/, 'must be 24-128 characters of A-Z, a-z, 0-9, _ or -').optional(),
  ),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  WORKER_DEPLOYMENT_NAME: optionalString,
  WORKER_BUILD_ID: optionalString,
  WORKER_METRICS_PORT: z.preprocess((value) => (value === '' ? undefined : value), port.optional()),
  WORKER_METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_SIZE: positiveInt.default(10),
  WORKER_SLOT_TUNER: z.enum(['fixed', 'resource-based']).default('fixed'),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: positiveInt.default(40),
  WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt.default(100),
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: positiveInt.default(100),
  WORKER_TARGET_MEMORY_USAGE: fraction.default(0.8),
  WORKER_TARGET_CPU_USAGE: fraction.default(0.9),
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).optional(),
  PRICES: optionalString,
  BUDGET_GLOBAL: optionalString,
  BUDGET_DEGRADE_AT: fraction.default(0.8),
  BUDGET_RESERVATION_TTL_SECONDS: positiveNumber.optional(),
  DEFERRED_POLL_INTERVAL_SECONDS: positiveNumber.default(300),
  DEFERRED_MAX_WAIT_SECONDS: positiveNumber.default(25 * 60 * 60),
  DEFERRED_BATCHES_BY_DEFAULT: z.enum(['true', 'false']).default('false'),
});

/** The variables this module reads; docker-compose and the README are checked against this list. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as (keyof typeof envSchema.shape)[];

export interface ProviderCredentials {
  apiKey?: string;
  baseUrl?: string;
}

export type LocalFirstAttempt = 'always' | 'when-fast' | 'never';
const LOCAL_FIRST_ATTEMPT_SETTINGS = { true: 'always', auto: 'when-fast', false: 'never' } as const satisfies Record<string, LocalFirstAttempt>;

/** One remote provider: credentials plus the design's resilience parameters (times in ms). */
export interface RemoteProviderConfig extends ProviderCredentials {
  name: RemoteProviderName;
  timeoutMs: number;
  retryAttempts: number;
  retryInitialIntervalMs: number;
  retryMaxIntervalMs: number;
  backoffFactor: number;
  jitter: number;
  circuitBreakerThreshold: number;
  circuitBreakerRecoveryMs: number;
  /** Requests per minute across every worker (the provider task queue's server-side limit). */
  rateLimitPerMinute: number;
  /**
   * Whether the step's first attempt runs as a local activity inside the job's workflow task (no
   * activity task, one workflow task per job when it succeeds; retries are activities): always,
   * while this worker's recent calls to the provider took at most `localFirstMaxCallMs`, or never.
   * Only without a rate limit.
   */
  localFirstAttempt: LocalFirstAttempt;
  localFirstMaxCallMs: number;
  /** Bulkhead: concurrent calls per worker process. */
  maxConcurrency: number;
  maxTokens: number;
  models: Record<ModelTier, string>;
}

export type WorkerSlotSettings =
  | { tuner: 'fixed'; workflowTasks: number; activities: number; localActivities: number }
  | { tuner: 'resource-based'; targetMemoryUsage: number; targetCpuUsage: number };

export interface AppConfig {
  temporal: {
    /** host:port of the frontend; undefined means the embedded dev server on `port`. */
    address: string;
    embeddedServer: boolean;
    namespace: string;
    taskQueue: string;
    port: number;
    uiPort: number;
    uiUrl: string;
    dbFile: string;
    cliPath?: string;
    /** Transport compression of the Core connections (worker, API); the SDK's own default is gzip. */
    grpcCompression: 'none' | 'gzip';
  };
  api: { host: string; port: number; documentMaxBytes: number };
  dataDir: string;
  /** Postgres when databaseUrl is set (every host shares it), SQLite in dataDir otherwise. */
  documents: { databaseUrl?: string; poolSize: number };
  /** Slot tuning of the main-queue worker and how long a stopping worker lets in-flight tasks finish. */
  worker: { slots: WorkerSlotSettings; shutdownGraceMs: number };
  redisUrl?: string;
  /** The design's DistributedCache(memory_cache_size, disk_cache_dir, redis_url, redis_prefix). */
  cache: { memorySize: number; ttlMs: number; diskDir?: string; redisPrefix: string; redisTimeoutMs: number };
  providers: {
    order: ProviderName[];
  } & Record<RemoteProviderName, RemoteProviderConfig>;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Where a worker serves the Temporal SDK's Prometheus metrics; undefined: not served. */
  workerMetrics?: { host: string; port: number };
  security: {
    /** Bearer tokens of clients; admin keys are valid client keys too. */
    apiKeys: string[];
    /** Bearer tokens allowed to change the operation mode. */
    adminApiKeys: string[];
    /** Requests per minute per client (per key, or per address without keys). */
    rateLimitPerMinute: number;
    requestTimeoutMs: number;
    /** `keyId:base64key,...`; the first encrypts. Undefined: payloads are not encrypted. */
    payloadEncryptionKeys?: string;
    /** `keyId:base64key,...` that open old payloads and seal nothing (a key being retired). */
    payloadDecryptOnlyKeys?: string;
    /**
     * A secret path segment for the Temporal UI's codec calls (`/codec/ui/<token>/decode`): the UI's
     * browser cannot send an API key, so with API_KEYS set this is how it reaches the codec.
     */
    uiCodecToken?: string;
  };
  /** The health-check schedule and the hysteresis that turns its results into an operation mode. */
  health: { intervalMs: number; failuresToDegrade: number; passesToRecover: number; minDwellMs: number };
  /** OTLP (HTTP/protobuf) base URL; undefined: tracing off. */
  tracing: { otlpEndpoint?: string };
  /** Worker deployment versioning; undefined: unversioned workers. */
  workerDeployment?: { deploymentName: string; buildId: string };
  /** Prices, client and global budgets (see shared/spend-config.ts). */
  spend: SpendConfig;
  /**
   * The half-price route (provider batch APIs): how often a submitted batch is checked, how long a job
   * waits before cancelling it and taking the sync chain, and whether batch requests take it unless they say otherwise.
   */
  deferred: { pollIntervalMs: number; maxWaitMs: number; batchesByDefault: boolean };
}

const splitList = (raw: string | undefined): string[] => (raw ?? '').split(',').map((item) => item.trim()).filter(Boolean);

function assertValidKeyRing(encryptionKeys: string | undefined, decryptOnlyKeys: string | undefined): void {
  const check = (variable: string, lists: { encryptionKeys?: string; decryptOnlyKeys?: string }) => {
    try {
      keyRingOf(lists);
    } catch (error) {
      // KeyRingError messages never quote key material.
      throw new ConfigError(variable, `is invalid: ${(error as Error).message}`);
    }
  };
  check('PAYLOAD_ENCRYPTION_KEYS', { encryptionKeys });
  check('PAYLOAD_DECRYPT_ONLY_KEYS', { decryptOnlyKeys });
  check('PAYLOAD_DECRYPT_ONLY_KEYS', { encryptionKeys, decryptOnlyKeys });
}

/** OpenAI-compatible servers (Ollama, vLLM) often need no key, but always a base URL. */
function isUsable(name: RemoteProviderName, credentials: ProviderCredentials): boolean {
  return name === 'openai-compatible' ? credentials.baseUrl !== undefined : credentials.apiKey !== undefined;
}

function parseProviderOrder(raw: string | undefined, credentials: Record<RemoteProviderName, ProviderCredentials>): ProviderName[] {
  if (raw === undefined) {
    return [...REMOTE_PROVIDERS.filter((name) => isUsable(name, credentials[name])), 'local'];
  }
  const names = raw.split(',').map((name) => name.trim()).filter(Boolean);
  if (names.length === 0) throw new ConfigError('LLM_PROVIDERS', 'must name at least one provider');
  const order: ProviderName[] = [];
  for (const name of names) {
    if (!(PROVIDER_NAMES as readonly string[]).includes(name)) {
      throw new ConfigError('LLM_PROVIDERS', `names unknown provider "${name}" (known: ${PROVIDER_NAMES.join(', ')})`);
    }
    if (order.includes(name as ProviderName)) {
      throw new ConfigError('LLM_PROVIDERS', `lists "${name}" twice`);
    }
    if (name !== 'local' && !isUsable(name as RemoteProviderName, credentials[name as RemoteProviderName])) {
      const needs = name === 'openai-compatible' ? 'OPENAI_COMPATIBLE_BASE_URL' : `${envPrefix(name as RemoteProviderName)}_API_KEY`;
      throw new ConfigError('LLM_PROVIDERS', `lists "${name}" but ${needs} is not set`);
    }
    order.push(name as ProviderName);
  }
  return order;
}

/**
 * A stopping worker waits out the longest provider call it may be running (its timeout) plus a margin
 * for the local analyzer and the workflow task that follows, so no in-flight call is cut off.
 */
function defaultShutdownGraceSeconds(providers: AppConfig['providers']): number {
  const remote = providers.order.filter((name): name is RemoteProviderName => name !== 'local');
  return Math.max(0, ...remote.map((name) => providers[name].timeoutMs / 1000)) + 10;
}

/** Reads and validates the environment once; a bad value throws a ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    // Values of variables that may carry credentials are never echoed.
    const shown = /KEY|SECRET|TOKEN|PASSWORD|URL/.test(variable) ? '' : ` (got ${JSON.stringify(env[variable] ?? null)})`;
    throw new ConfigError(variable, `is invalid: ${issue.message}${shown}`);
  }
  const e = parsed.data;
  assertValidKeyRing(e.PAYLOAD_ENCRYPTION_KEYS, e.PAYLOAD_DECRYPT_ONLY_KEYS);
  const dataDir = path.resolve(e.DATA_DIR);
  const credentials: Record<RemoteProviderName, ProviderCredentials> = {
    anthropic: { apiKey: e.ANTHROPIC_API_KEY, baseUrl: e.ANTHROPIC_BASE_URL },
    openai: { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL },
    'openai-compatible': { apiKey: e.OPENAI_COMPATIBLE_API_KEY, baseUrl: e.OPENAI_COMPATIBLE_BASE_URL },
  };
  const settings = e as unknown as Record<string, number | string>;
  const remote = (name: RemoteProviderName): RemoteProviderConfig => {
    const read = (suffix: string) => settings[`${envPrefix(name)}_${suffix}`]!;
    const seconds = (suffix: string) => Math.round(Number(read(suffix)) * 1000);
    return {
      name,
      ...credentials[name],
      timeoutMs: seconds('TIMEOUT_SECONDS'),
      retryAttempts: Number(read('RETRY_ATTEMPTS')),
      retryInitialIntervalMs: seconds('RETRY_INITIAL_INTERVAL_SECONDS'),
      retryMaxIntervalMs: seconds('RETRY_MAX_INTERVAL_SECONDS'),
      backoffFactor: Number(read('BACKOFF_FACTOR')),
      jitter: Number(read('JITTER')),
      circuitBreakerThreshold: Number(read('CIRCUIT_BREAKER_THRESHOLD')),
      circuitBreakerRecoveryMs: seconds('CIRCUIT_BREAKER_RECOVERY_SECONDS'),
      rateLimitPerMinute: Number(read('RATE_LIMIT')),
      localFirstAttempt: LOCAL_FIRST_ATTEMPT_SETTINGS[read('LOCAL_FIRST_ATTEMPT') as keyof typeof LOCAL_FIRST_ATTEMPT_SETTINGS],
      localFirstMaxCallMs: seconds('LOCAL_FIRST_MAX_CALL_SECONDS'),
      maxConcurrency: Number(read('MAX_CONCURRENCY')),
      maxTokens: Number(read('MAX_TOKENS')),
      models: { advanced: String(read('MODEL_ADVANCED')), light: String(read('MODEL_LIGHT')) },
    };
  };
  if ((e.WORKER_DEPLOYMENT_NAME === undefined) !== (e.WORKER_BUILD_ID === undefined)) {
    const missing = e.WORKER_DEPLOYMENT_NAME === undefined ? 'WORKER_DEPLOYMENT_NAME' : 'WORKER_BUILD_ID';
    throw new ConfigError(missing, 'must be set too: a versioned worker needs both a deployment name and a build id');
  }
  const providers: AppConfig['providers'] = {
    order: parseProviderOrder(e.LLM_PROVIDERS, credentials),
    anthropic: remote('anthropic'),
    openai: remote('openai'),
    'openai-compatible': remote('openai-compatible'),
  };
  for (const name of REMOTE_PROVIDERS) {
    // A local activity never passes through the provider's task queue, where the server enforces the limit.
    if (providers[name].localFirstAttempt === 'always' && providers[name].rateLimitPerMinute > 0) {
      throw new ConfigError(`${envPrefix(name)}_LOCAL_FIRST_ATTEMPT`, `needs ${envPrefix(name)}_RATE_LIMIT=0: a local activity would bypass the server-side rate limit`);
    }
  }
  const spend = parseSpendConfig(
    { ...e, apiKeys: splitList(e.API_KEYS), adminApiKeys: splitList(e.ADMIN_API_KEYS), defaultReservationTtlSeconds: 2 * defaultShutdownGraceSeconds(providers) },
    (variable, problem) => {
      throw new ConfigError(variable, problem);
    },
  );
  const longestCallMs = Math.max(0, ...providers.order.filter((name): name is RemoteProviderName => name !== 'local').map((name) => providers[name].timeoutMs));
  if (spend.reservationTtlMs <= longestCallMs) {
    // A reservation that lapses while its request runs would let others spend the same room.
    throw new ConfigError('BUDGET_RESERVATION_TTL_SECONDS', `must be longer than the longest provider timeout (${longestCallMs / 1000} s)`);
  }
  return {
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_PORT}`,
      embeddedServer: e.TEMPORAL_ADDRESS === undefined,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      port: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      uiUrl: (e.TEMPORAL_UI_URL ?? `http://127.0.0.1:${e.TEMPORAL_UI_PORT}`).replace(/\/+$/, ''),
      dbFile: path.resolve(e.TEMPORAL_DB_FILE ?? path.join(dataDir, 'temporal.db')),
      cliPath: e.TEMPORAL_CLI_PATH,
      grpcCompression: e.TEMPORAL_GRPC_COMPRESSION,
    },
    api: { host: e.HOST, port: e.PORT, documentMaxBytes: e.DOCUMENT_MAX_BYTES },
    dataDir,
    documents: { databaseUrl: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
    worker: {
      slots:
        e.WORKER_SLOT_TUNER === 'fixed'
          ? {
              tuner: 'fixed',
              workflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
              activities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
              localActivities: e.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
            }
          : { tuner: 'resource-based', targetMemoryUsage: e.WORKER_TARGET_MEMORY_USAGE, targetCpuUsage: e.WORKER_TARGET_CPU_USAGE },
      shutdownGraceMs: Math.round((e.WORKER_SHUTDOWN_GRACE_SECONDS ?? defaultShutdownGraceSeconds(providers)) * 1000),
    },
    redisUrl: e.REDIS_URL,
    cache: {
      memorySize: e.CACHE_MEMORY_SIZE,
      ttlMs: Math.round(e.CACHE_TTL_SECONDS * 1000),
      diskDir: e.CACHE_DISK_ENABLED === 'true' ? path.join(dataDir, 'cache') : undefined,
      redisPrefix: e.CACHE_REDIS_PREFIX,
      redisTimeoutMs: e.CACHE_REDIS_TIMEOUT_MS,
    },
    providers,
    logLevel: e.LOG_LEVEL,
    ...(e.WORKER_METRICS_PORT !== undefined && { workerMetrics: { host: e.WORKER_METRICS_HOST, port: e.WORKER_METRICS_PORT } }),
    security: {
      apiKeys: spend.clientBudgets.filter((entry) => !entry.admin).map((entry) => entry.apiKey),
      adminApiKeys: spend.clientBudgets.filter((entry) => entry.admin).map((entry) => entry.apiKey),
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      requestTimeoutMs: Math.round(e.REQUEST_TIMEOUT_SECONDS * 1000),
      payloadEncryptionKeys: e.PAYLOAD_ENCRYPTION_KEYS,
      payloadDecryptOnlyKeys: e.PAYLOAD_DECRYPT_ONLY_KEYS,
      uiCodecToken: e.TEMPORAL_UI_CODEC_TOKEN,
    },
    health: {
      intervalMs: Math.round(e.HEALTH_CHECK_INTERVAL_SECONDS * 1000),
      failuresToDegrade: e.HEALTH_FAILURES_TO_DEGRADE,
      passesToRecover: e.HEALTH_PASSES_TO_RECOVER,
      minDwellMs: Math.round(e.HEALTH_MIN_DWELL_SECONDS * 1000),
    },
    tracing: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT },
    deferred: {
      pollIntervalMs: Math.round(e.DEFERRED_POLL_INTERVAL_SECONDS * 1000),
      maxWaitMs: Math.round(e.DEFERRED_MAX_WAIT_SECONDS * 1000),
      batchesByDefault: e.DEFERRED_BATCHES_BY_DEFAULT === 'true',
    },
    ...(e.WORKER_DEPLOYMENT_NAME !== undefined &&
      e.WORKER_BUILD_ID !== undefined && {
        workerDeployment: { deploymentName: e.WORKER_DEPLOYMENT_NAME, buildId: e.WORKER_BUILD_ID },
      }),
    spend,
  };
}

/** For entry points: load the config or exit with the message naming the bad variable. */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

import path from 'node:path';
import { z } from 'zod';

/** Every provider the service knows, in the order used when LLM_PROVIDERS is not set. */
export const PROVIDER_NAMES = ['anthropic', 'openai', 'openai-compatible', 'local'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

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

const envSchema = z.object({
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('analysis'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_DB_FILE: optionalString,
  TEMPORAL_UI_URL: optionalUrl,
  TEMPORAL_CLI_PATH: optionalString,
  PORT: port.default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().trim().min(1).default('.data'),
  DOCUMENT_MAX_BYTES: positiveInt.default(1024 * 1024),
  REDIS_URL: optionalUrl,
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalUrl,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_COMPATIBLE_API_KEY: optionalString,
  OPENAI_COMPATIBLE_BASE_URL: optionalUrl,
  LLM_PROVIDERS: optionalString,
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

/** The variables this module reads; docker-compose and the README are checked against this list. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as (keyof typeof envSchema.shape)[];

export interface ProviderCredentials {
  apiKey?: string;
  baseUrl?: string;
}

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
  };
  api: { host: string; port: number; documentMaxBytes: number };
  dataDir: string;
  redisUrl?: string;
  providers: {
    order: ProviderName[];
    anthropic: ProviderCredentials;
    openai: ProviderCredentials;
    'openai-compatible': ProviderCredentials;
  };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

function parseProviderOrder(raw: string | undefined, credentials: AppConfig['providers']): ProviderName[] {
  if (raw === undefined) {
    const withKeys = PROVIDER_NAMES.filter((name) => name !== 'local' && credentials[name].apiKey);
    return [...withKeys, 'local'];
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
    order.push(name as ProviderName);
  }
  return order;
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
  const dataDir = path.resolve(e.DATA_DIR);
  const providers: AppConfig['providers'] = {
    order: [],
    anthropic: { apiKey: e.ANTHROPIC_API_KEY, baseUrl: e.ANTHROPIC_BASE_URL },
    openai: { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL },
    'openai-compatible': { apiKey: e.OPENAI_COMPATIBLE_API_KEY, baseUrl: e.OPENAI_COMPATIBLE_BASE_URL },
  };
  providers.order = parseProviderOrder(e.LLM_PROVIDERS, providers);
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
    },
    api: { host: e.HOST, port: e.PORT, documentMaxBytes: e.DOCUMENT_MAX_BYTES },
    dataDir,
    redisUrl: e.REDIS_URL,
    providers,
    logLevel: e.LOG_LEVEL,
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

/** Command-line arguments to a typed command: pure, so every usage error is unit-tested without a server. */
import { parseArgs } from 'node:util';
import { ANALYSIS_TYPES, type AnalysisType } from '../../shared/core/job-types';
import { OPERATION_MODES, SEVERITIES, type OperationMode, type Severity } from '../../shared/core/operation-mode/modes';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

export type Command =
  | { name: 'help' }
  | { name: 'analyze'; file: string; analysisType: AnalysisType; maxTokens?: number; wait: boolean; json: boolean }
  | { name: 'status'; jobId: string; json: boolean }
  | { name: 'cancel'; jobId: string; json: boolean }
  | { name: 'mode'; json: boolean }
  | { name: 'mode set'; mode: OperationMode; reason: string; expiresInSeconds?: number; severity?: Severity; json: boolean }
  | { name: 'mode clear'; reason?: string; json: boolean };

export interface Connection {
  apiUrl: string;
  apiKey?: string;
}

export interface Invocation {
  command: Command;
  connection: Connection;
}

/** Only the variables the CLI reads; the shell hands them in so parsing stays pure. */
export interface CliEnv {
  ANALYSIS_API_URL?: string;
  ANALYSIS_API_KEY?: string;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

const OPTIONS = {
  api: { type: 'string' },
  key: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  type: { type: 'string' },
  'max-tokens': { type: 'string' },
  'no-wait': { type: 'boolean' },
  reason: { type: 'string' },
  'expires-in': { type: 'string' },
  severity: { type: 'string' },
} as const;

type OptionName = keyof typeof OPTIONS;
type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

const GLOBAL_OPTIONS: readonly OptionName[] = ['api', 'key', 'help'];
const COMMAND_OPTIONS: Record<Exclude<Command['name'], 'help'>, readonly OptionName[]> = {
  analyze: ['json', 'type', 'max-tokens', 'no-wait'],
  status: ['json'],
  cancel: ['json'],
  mode: ['json'],
  'mode set': ['json', 'reason', 'expires-in', 'severity'],
  'mode clear': ['json', 'reason'],
};

export function parseInvocation(argv: readonly string[], env: CliEnv): Invocation {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util's messages name the option and never echo an option's value (so never the key).
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const connection = connectionOf(values, env);
  if (values.help || positionals[0] === 'help') return { command: { name: 'help' }, connection };
  const command = commandOf(positionals, values);
  const misplaced = (Object.keys(values) as OptionName[]).filter(
    (option) => !GLOBAL_OPTIONS.includes(option) && !COMMAND_OPTIONS[command.name as keyof typeof COMMAND_OPTIONS].includes(option),
  );
  if (misplaced.length) throw new UsageError(`${command.name} does not take --${misplaced.join(', --')}`);
  return { command, connection };
}

function connectionOf(values: Values, env: CliEnv): Connection {
  const apiUrl = values.api ?? (env.ANALYSIS_API_URL || DEFAULT_API_URL);
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new UsageError(`--api must be an http(s) URL, got "${apiUrl}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--api must be an http(s) URL, got "${apiUrl}"`);
  const apiKey = values.key ?? (env.ANALYSIS_API_KEY || undefined);
  return { apiUrl: apiUrl.replace(/\/+$/, ''), ...(apiKey !== undefined && { apiKey }) };
}

function commandOf(positionals: string[], values: Values): Command {
  const [word, ...rest] = positionals;
  const json = values.json ?? false;
  switch (word) {
    case undefined:
      throw new UsageError('missing command');
    case 'analyze': {
      const [file] = exactly(rest, ['FILE'], 'analyze');
      const maxTokens = values['max-tokens'] === undefined ? undefined : positiveInteger(values['max-tokens'], '--max-tokens');
      return {
        name: 'analyze',
        file,
        analysisType: oneOf(values.type ?? 'full', ANALYSIS_TYPES, '--type'),
        ...(maxTokens !== undefined && { maxTokens }),
        wait: !values['no-wait'],
        json,
      };
    }
    case 'status':
    case 'cancel': {
      const [jobId] = exactly(rest, ['JOB_ID'], word);
      return { name: word, jobId, json };
    }
    case 'mode':
      return modeCommandOf(rest, values, json);
    default:
      throw new UsageError(`unknown command "${word}"`);
  }
}

function modeCommandOf([sub, ...rest]: string[], values: Values, json: boolean): Command {
  switch (sub) {
    case undefined:
      return { name: 'mode', json };
    case 'set': {
      const [mode] = exactly(rest, ['MODE'], 'mode set');
      if (values.reason === undefined || !values.reason.trim()) throw new UsageError('mode set needs --reason TEXT');
      const expiresInSeconds = values['expires-in'] === undefined ? undefined : positiveInteger(values['expires-in'], '--expires-in');
      return {
        name: 'mode set',
        mode: oneOf(mode.toUpperCase(), OPERATION_MODES, 'MODE', mode),
        reason: values.reason,
        ...(expiresInSeconds !== undefined && { expiresInSeconds }),
        ...(values.severity !== undefined && { severity: oneOf(values.severity, SEVERITIES, '--severity') }),
        json,
      };
    }
    case 'clear':
      exactly(rest, [], 'mode clear');
      return { name: 'mode clear', ...(values.reason !== undefined && { reason: values.reason }), json };
    default:
      throw new UsageError(`unknown mode subcommand "${sub}" (expected set or clear)`);
  }
}

function exactly<const Names extends readonly string[]>(given: string[], names: Names, command: string): { [K in keyof Names]: string } {
  if (given.length < names.length) throw new UsageError(`${command} needs ${names.join(' ')}`);
  if (given.length > names.length) throw new UsageError(`${command} takes ${names.length ? names.join(' ') : 'no arguments'}, got extra "${given[names.length]}"`);
  return given as unknown as { [K in keyof Names]: string };
}

function positiveInteger(text: string, option: string): number {
  if (!/^\d+$/.test(text) || Number(text) === 0) throw new UsageError(`${option} must be a positive integer, got "${text}"`);
  return Number(text);
}

function oneOf<const T extends string>(text: string, allowed: readonly T[], what: string, given = text): T {
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`${what} must be one of ${allowed.join(', ')}, got "${given}"`);
  return text as T;
}

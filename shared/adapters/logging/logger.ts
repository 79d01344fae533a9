/**
 * One structured JSON logger (pino) per process. Every line carries `name` (api, worker, …), an ISO
 * time and the level as a word; messages keep the `name: ` prefix the supervisor and tests grep for.
 * Secrets known to the config are blanked out of every line (see secrets.ts).
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from '../../config';
import { redactSecrets } from './secrets';

export type { Logger } from 'pino';
export type LogLevelName = AppConfig['logLevel'];

export interface LoggerOptions {
  name: string;
  level: LogLevelName | 'silent';
  /** Values to blank out of every line (secretValuesOf(config)). */
  secrets?: readonly string[];
  /** Default: stdout. */
  destination?: DestinationStream;
}

export function createLogger({ name, level, secrets = [], destination }: LoggerOptions): Logger {
  return pino(
    {
      name,
      level,
      msgPrefix: `${name}: `,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      // Field names that may hold credentials are censored wherever a caller passes them by mistake.
      redact: {
        paths: ['authorization', 'apiKey', 'password', '*.authorization', '*.apiKey', '*.password', 'headers', '*.headers'],
        censor: '[redacted]',
      },
      ...(secrets.length > 0 && { hooks: { streamWrite: (line: string) => redactSecrets(line, secrets) } }),
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** For code that takes a `(message) => void` callback (cache, gate store, codec routes). */
export const warnTo = (logger: Logger) => (message: string) => logger.warn(message);
export const errorTo = (logger: Logger) => (message: string) => logger.error(message);

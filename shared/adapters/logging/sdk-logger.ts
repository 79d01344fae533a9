/** The Temporal Runtime's logger as an adapter onto pino: SDK, workflow, activity and forwarded Core logs. */
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import type { Logger } from 'pino';
import type { AppConfig } from '../../config';
import { logFieldsOf } from './sdk-log-fields';

/** Core's own INFO lines are internals; it speaks up at WARN unless the process logs at debug. */
export function coreLogLevelFor(level: AppConfig['logLevel']): LogLevel {
  return ({ debug: 'INFO', info: 'WARN', warn: 'WARN', error: 'ERROR' } as const)[level];
}

/** A Runtime's `telemetryOptions.logging`: Core's lines forwarded to the process's logger at `coreLogLevelFor`. */
export function forwardedCoreLogging(level: AppConfig['logLevel']) {
  return { filter: { core: coreLogLevelFor(level), other: 'ERROR' as const }, forward: {} };
}

const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * SDK messages that are expected in this service's layout: provider task queues register activities
 * only, and nobody uses Nexus. Logged at DEBUG so that INFO shows what an operator acts on.
 */
const EXPECTED_SDK_MESSAGES = new Set(['No workflows registered, not polling for workflow tasks', 'No Nexus services registered, not polling for Nexus tasks']);

export class PinoSdkLogger implements SdkLogger {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const method = EXPECTED_SDK_MESSAGES.has(message) ? 'debug' : (PINO_METHOD[level] ?? 'info');
    this.logger[method](logFieldsOf(meta), message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/**
 * For bundleWorkflowCode: the bundler reports webpack's statistics at INFO, and they matter only when
 * debugging the bundle, so everything below WARN goes to DEBUG.
 */
export class BundlerLogger extends PinoSdkLogger {
  override log(level: LogLevel, message: string, meta?: LogMetadata): void {
    super.log(level === 'WARN' || level === 'ERROR' ? level : 'DEBUG', message, meta);
  }
}

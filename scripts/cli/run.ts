/** Parses, runs one command, and turns every failure into one line on stderr and an exit code. */
import { analyze } from './analyze';
import { AnalysisApiClient, ApiError, NetworkError } from './api-client';
import { parseInvocation, UsageError, type CliEnv, type Command } from './args';
import { EXIT_CODES, type ExitCode } from './exit-codes';
import type { CliContext, CliIo } from './io';
import { cancel, showStatus } from './jobs';
import { clearMode, setMode, showMode } from './mode';
import { USAGE } from './usage';

export async function runCli(argv: readonly string[], env: CliEnv, io: CliIo, fetchImpl: typeof fetch = fetch): Promise<ExitCode> {
  let invocation;
  try {
    invocation = parseInvocation(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`error: ${error.message}`);
    io.err('Run with --help for usage.');
    return EXIT_CODES.usage;
  }
  if (invocation.command.name === 'help') {
    io.out(USAGE.trimEnd());
    return EXIT_CODES.ok;
  }
  try {
    return await runCommand(invocation.command, { api: new AnalysisApiClient(invocation.connection, fetchImpl), io });
  } catch (error) {
    return reportFailure(error, io);
  }
}

function runCommand(command: Exclude<Command, { name: 'help' }>, context: CliContext): Promise<ExitCode> {
  switch (command.name) {
    case 'analyze':
      return analyze(command, context);
    case 'status':
      return showStatus(command, context);
    case 'cancel':
      return cancel(command, context);
    case 'mode':
      return showMode(command, context);
    case 'mode set':
      return setMode(command, context);
    case 'mode clear':
      return clearMode(command, context);
  }
}

function reportFailure(error: unknown, io: CliIo): ExitCode {
  if (error instanceof UsageError) {
    io.err(`error: ${error.message}`);
    return EXIT_CODES.usage;
  }
  if (error instanceof ApiError) {
    io.err(`error: ${error.status} ${error.code}: ${error.message}`);
    return EXIT_CODES.api;
  }
  if (error instanceof NetworkError) {
    io.err(`error: ${error.message}`);
    return EXIT_CODES.api;
  }
  // Most likely an answer of an unexpected shape; one line, never a stack trace.
  io.err(`error: unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
  return EXIT_CODES.api;
}

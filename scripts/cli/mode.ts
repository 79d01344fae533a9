/** `mode`, `mode set` and `mode clear`. */
import type { OverrideRequest } from './api-types';
import type { Command } from './args';
import { EXIT_CODES, type ExitCode } from './exit-codes';
import { renderMode, renderModeChange } from './format-mode';
import { asJson, type CliContext } from './io';

type ModeSetCommand = Extract<Command, { name: 'mode set' }>;

export async function showMode(command: Extract<Command, { name: 'mode' }>, { api, io }: CliContext): Promise<ExitCode> {
  const view = await api.operationMode();
  io.out(command.json ? asJson(view) : renderMode(view));
  return EXIT_CODES.ok;
}

export async function setMode(command: ModeSetCommand, { api, io }: CliContext): Promise<ExitCode> {
  const answer = await api.setOverride(overrideRequestOf(command, io.now()));
  io.out(command.json ? asJson(answer) : renderModeChange(answer));
  return EXIT_CODES.ok;
}

export async function clearMode(command: Extract<Command, { name: 'mode clear' }>, { api, io }: CliContext): Promise<ExitCode> {
  const answer = await api.clearOverride(command.reason);
  io.out(command.json ? asJson(answer) : renderModeChange(answer));
  return EXIT_CODES.ok;
}

/** The server takes an absolute expiry; people think in "for the next N seconds". */
export function overrideRequestOf(command: ModeSetCommand, nowMs: number): OverrideRequest {
  return {
    mode: command.mode,
    reason: command.reason,
    ...(command.severity !== undefined && { severity: command.severity }),
    ...(command.expiresInSeconds !== undefined && { expiresAt: new Date(nowMs + command.expiresInSeconds * 1000).toISOString() }),
  };
}

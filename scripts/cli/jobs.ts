/** `status JOB_ID` and `cancel JOB_ID`. */
import type { Command } from './args';
import { EXIT_CODES, type ExitCode } from './exit-codes';
import { renderJob } from './format-job';
import { asJson, type CliContext } from './io';

export async function showStatus(command: Extract<Command, { name: 'status' }>, { api, io }: CliContext): Promise<ExitCode> {
  const job = await api.job(command.jobId);
  io.out(command.json ? asJson(job) : renderJob(job));
  return EXIT_CODES.ok;
}

export async function cancel(command: Extract<Command, { name: 'cancel' }>, { api, io }: CliContext): Promise<ExitCode> {
  const answer = await api.cancelJob(command.jobId);
  io.out(command.json ? asJson(answer) : `${answer.jobId}: ${answer.status}`);
  return EXIT_CODES.ok;
}

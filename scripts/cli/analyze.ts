/** `analyze FILE`: store the document, ask for its analysis, and follow the job until it closes. */
import path from 'node:path';
import { ApiError, NetworkError } from './api-client';
import type { JobView } from './api-types';
import { UsageError, type Command } from './args';
import { EXIT_CODES, type ExitCode } from './exit-codes';
import { applyJobEvent } from './follow-job';
import { isClosed, progressUpdate } from './format-job';
import { renderResult } from './format-result';
import { asJson, type CliContext, type CliIo } from './io';
import { cachedAnswerAsJson, jobAsJson } from './json-answer';

type AnalyzeCommand = Extract<Command, { name: 'analyze' }>;

/** Pause before reconnecting a stream that ended early or broke. */
const RECONNECT_MS = 1_000;
/** Broken streams in a row before the CLI gives up (the job goes on; `status` picks it up). */
const MAX_RECONNECTS = 5;
const TITLE_MAX_LENGTH = 500;

export async function analyze(command: AnalyzeCommand, context: CliContext): Promise<ExitCode> {
  const { api, io } = context;
  const content = await readDocument(command.file, io);
  const title = command.file === '-' ? undefined : path.basename(command.file).slice(0, TITLE_MAX_LENGTH);
  const document = await api.createDocument(content, title);
  const answer = await api.analyze({
    documentId: document.id,
    analysisType: command.analysisType,
    ...(command.maxTokens !== undefined && { maxTokens: command.maxTokens }),
  });

  if (answer.kind === 'cached') {
    io.err('cached result: no job was started');
    io.out(command.json ? asJson(cachedAnswerAsJson(answer.body)) : renderResult(answer.body.result));
    return EXIT_CODES.ok;
  }

  const { jobId, links } = answer.body;
  if (!command.wait) {
    io.out(command.json ? asJson({ ...jobAsJson(answer.body), ...(answer.body.tier && { tier: answer.body.tier }) }) : jobId);
    io.err(`job ${jobId} started; follow it with: status ${jobId}`);
    io.err(`Temporal UI: ${links.ui}`);
    return EXIT_CODES.ok;
  }

  io.err(`job ${jobId}`);
  let job: JobView;
  try {
    job = await followJob(jobId, context);
  } catch (error) {
    // The job runs on the server whatever happens to this process; say how to pick it up again.
    io.err(`the job may still be running: status ${jobId}`);
    throw error;
  }
  io.err(`Temporal UI: ${job.links.ui}`);
  return reportClosedJob(job, command.json, io);
}

async function readDocument(file: string, io: CliIo): Promise<string> {
  let content: string;
  try {
    content = await io.readInput(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file === '-' ? 'stdin' : file}: ${readFailureReason(error)}`);
  }
  if (!content.trim()) throw new UsageError(`${file === '-' ? 'stdin' : file} is empty: nothing to analyze`);
  return content;
}

const READ_FAILURES: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
};

function readFailureReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code && READ_FAILURES[code]) ?? (error as Error).message;
}

/**
 * Follows the job's server-sent events until it closes, printing a progress line to stderr whenever
 * stage, provider or attempt changes. A broken stream resumes from the last event id it delivered.
 */
async function followJob(jobId: string, { api, io }: CliContext): Promise<JobView> {
  let job: JobView | undefined;
  let lastShown: JobView | undefined;
  let lastEventId: string | undefined;
  for (let broken = 0; ; ) {
    try {
      for await (const event of api.jobEvents(jobId, lastEventId)) {
        lastEventId = event.id ?? lastEventId;
        job = applyJobEvent(job, event);
        if (!job) continue;
        const line = progressUpdate(lastShown, job);
        if (line !== undefined) {
          io.err(line);
          lastShown = job;
        }
        if (isClosed(job)) return job;
        broken = 0;
      }
      // The stream ended before the job did (the server said `interrupted`, or restarted).
      if (++broken > MAX_RECONNECTS) throw new NetworkError(`job ${jobId} events`, 'the stream kept ending before the job did');
    } catch (error) {
      if (error instanceof ApiError && error.status === 429) {
        const seconds = error.retryAfter ?? 1;
        io.err(`rate limited by the API; following again in ${seconds} s`);
        await io.sleep(seconds * 1000);
        continue;
      }
      if (!(error instanceof NetworkError) || broken > MAX_RECONNECTS || ++broken > MAX_RECONNECTS) throw error;
    }
    await io.sleep(RECONNECT_MS);
  }
}

function reportClosedJob(job: JobView, json: boolean, io: CliIo): ExitCode {
  if (json) io.out(asJson(jobAsJson(job)));
  if (job.status === 'completed' && job.result) {
    if (!json) io.out(renderResult(job.result));
    return EXIT_CODES.ok;
  }
  io.err(job.error ? `job ${job.status}: ${job.error.type}: ${job.error.message}` : `job ${job.status}`);
  return EXIT_CODES.jobFailed;
}

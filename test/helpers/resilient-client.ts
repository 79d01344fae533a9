/**
 * An API client that behaves as a well-written one should under faults: it retries on 503 (after the
 * Retry-After it was given) and on connection errors, and keeps going after any other 5xx. Every
 * exchange is recorded, so a test can assert on the status codes and compute latencies afterwards.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AnalysisResult } from '../../shared/core/analysis-result';
import type { ProviderAttempt } from '../../shared/core/job-types';

export interface Exchange {
  method: string;
  path: string;
  startedAt: number;
  ms: number;
  status?: number;
  /** The Retry-After header of a 503. */
  retryAfter?: string | null;
  /** A connection error, or `timeout` when the client gave up waiting. */
  error?: string;
  /** A long-poll read (`?wait=`): its latency is the wait, not the API's speed. */
  longPoll: boolean;
}

/** What became of one submitted analysis. */
export interface JobOutcome {
  content: string;
  jobId?: string;
  status: 'completed' | 'failed' | 'cancelled' | 'lost';
  result?: AnalysisResult;
  /** Attempts per provider step, as the job's chain records them. */
  attemptsByProvider?: Record<string, number>;
  submittedAt: number;
  doneAt?: number;
}

interface JobReadBody {
  status: string;
  result?: AnalysisResult;
  version: string;
  chain: ProviderAttempt[];
  /** Set when Temporal was away and the finished job came from the analysis cache (no chain then). */
  servedFrom?: 'cache';
}

const attemptsOf = (view: JobReadBody): Record<string, number> | undefined =>
  view.servedFrom ? undefined : Object.fromEntries(view.chain.map((step) => [step.provider, step.attempts ?? 1]));

const REQUEST_TIMEOUT_MS = 30_000;
const LONG_POLL_SECONDS = 10;

export class ResilientClient {
  readonly exchanges: Exchange[] = [];

  constructor(private readonly apiUrl: string) {}

  /** The recorded exchange, with the answer when one came. */
  private async call(method: string, path: string, json?: unknown): Promise<{ exchange: Exchange; answer?: { status: number; body: any } }> {
    const longPoll = path.includes('wait=');
    const startedAt = Date.now();
    const exchange: Exchange = { method, path, startedAt, ms: 0, longPoll };
    this.exchanges.push(exchange);
    try {
      const response = await fetch(`${this.apiUrl}${path}`, {
        method,
        headers: json === undefined ? {} : { 'content-type': 'application/json' },
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS + (longPoll ? LONG_POLL_SECONDS * 1000 : 0)),
      });
      const text = await response.text();
      exchange.status = response.status;
      if (response.status === 503) exchange.retryAfter = response.headers.get('retry-after');
      const body = (response.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
      return { exchange, answer: { status: response.status, body } };
    } catch (error) {
      exchange.error = (error as Error).name === 'TimeoutError' ? 'timeout' : String((error as { cause?: { code?: string } }).cause?.code ?? error);
      return { exchange };
    } finally {
      exchange.ms = Date.now() - startedAt;
    }
  }

  /** Waits before the next try: the 503's Retry-After (capped, this is a test), else a short pause. */
  private async pause(exchange: Exchange): Promise<void> {
    const retryAfterSeconds = Number(exchange.retryAfter);
    await sleep(Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? Math.min(retryAfterSeconds * 1000, 2_000) : 250);
  }

  /** A 4xx other than 404/429 is the test's own mistake: stop at once. */
  private static assertNoClientError(method: string, path: string, answer: { status: number; body: unknown }): void {
    if (answer.status >= 400 && answer.status < 500 && answer.status !== 404 && answer.status !== 429) {
      throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
  }

  /** POST /api/analyze until it is accepted (202) or answered from the cache (200). */
  async submit(content: string, deadline: number): Promise<JobOutcome> {
    const submittedAt = Date.now();
    while (Date.now() < deadline) {
      const { exchange, answer } = await this.call('POST', '/api/analyze', { content });
      if (answer?.status === 202) return { content, jobId: answer.body.jobId, status: 'lost', submittedAt };
      if (answer?.status === 200) {
        // Only a first provider's answer is cached (no earlier step failed), so its attempts are the whole chain's.
        const result = answer.body.result as AnalysisResult;
        return { content, status: 'completed', result, attemptsByProvider: { [result.meta.provider]: result.meta.attempts }, submittedAt, doneAt: Date.now() };
      }
      if (answer) ResilientClient.assertNoClientError('POST', '/api/analyze', answer);
      await this.pause(exchange);
    }
    return { content, status: 'lost', submittedAt };
  }

  /** Long-polls the job until it is closed; `lost` if it is still open (or unknown) at the deadline. */
  async settle(job: JobOutcome, deadline: number): Promise<JobOutcome> {
    if (!job.jobId || job.status !== 'lost') return job;
    let since: string | undefined;
    while (Date.now() < deadline) {
      const path = `/api/jobs/${job.jobId}?wait=${LONG_POLL_SECONDS}${since ? `&since=${since}` : ''}`;
      const { exchange, answer } = await this.call('GET', path);
      if (answer?.status === 200) {
        const view = answer.body as JobReadBody;
        if (view.status === 'completed' || view.status === 'failed' || view.status === 'cancelled') {
          return { ...job, status: view.status, result: view.result, attemptsByProvider: attemptsOf(view), doneAt: Date.now() };
        }
        since = view.version;
        continue;
      }
      if (answer) ResilientClient.assertNoClientError('GET', path, answer);
      await this.pause(exchange);
    }
    return job;
  }

  /** The job's chain, read again once Temporal can answer (a read served from the cache while it was away has none). */
  async withChain(job: JobOutcome, deadline: number): Promise<JobOutcome> {
    if (!job.jobId || job.attemptsByProvider) return job;
    while (Date.now() < deadline) {
      const path = `/api/jobs/${job.jobId}`;
      const { exchange, answer } = await this.call('GET', path);
      const attempts = answer?.status === 200 ? attemptsOf(answer.body as JobReadBody) : undefined;
      if (attempts) return { ...job, attemptsByProvider: attempts };
      if (answer) ResilientClient.assertNoClientError('GET', path, answer);
      await this.pause(exchange);
    }
    return job;
  }

  /** One short read (no wait) of a job, for latency samples. */
  async read(jobId: string): Promise<void> {
    await this.call('GET', `/api/jobs/${jobId}`);
  }
}

/** A typed fetch wrapper for the analysis HTTP API; every failure becomes an ApiError or a NetworkError. */
import type { Connection } from './args';
import type {
  AnalyzeAnswer,
  CachedAnalysis,
  CancelAnswer,
  DocumentSummary,
  JobView,
  ModeChangeAnswer,
  OperationModeAnswer,
  OverrideRequest,
  StartedJob,
} from './api-types';
import { ServerSentEventParser, type ServerSentEvent } from './server-sent-events';

const REQUEST_TIMEOUT_MS = 30_000;
/** The server comments on a quiet stream every 15 s; this long without a byte means the stream is dead. */
const STREAM_IDLE_TIMEOUT_MS = 45_000;

/** The API answered with an error status (its body `{error: {code, message}}`, when it sent one). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds, from Retry-After. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** No HTTP answer at all: refused, unresolvable, reset, timed out. */
export class NetworkError extends Error {
  override name = 'NetworkError';
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach ${url}: ${reason}`);
  }
}

interface Answer<T> {
  status: number;
  body: T;
}

export class AnalysisApiClient {
  constructor(
    private readonly connection: Connection,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  createDocument(content: string, title?: string): Promise<DocumentSummary> {
    return this.body('POST', '/api/documents', { content, ...(title !== undefined && { title }) });
  }

  async analyze(request: { documentId: string; analysisType: string; maxTokens?: number }): Promise<AnalyzeAnswer> {
    const answer = await this.send<AnalyzeAnswer['body']>('POST', '/api/analyze', request);
    return answer.status === 200 ? { kind: 'cached', body: answer.body as CachedAnalysis } : { kind: 'started', body: answer.body as StartedJob };
  }

  /** With waitSeconds the server may hold the request until the job changes (a server without long polls answers at once). */
  job(jobId: string, waitSeconds?: number, since?: string): Promise<JobView> {
    const query = waitSeconds === undefined ? '' : `?wait=${waitSeconds}${since ? `&since=${since}` : ''}`;
    return this.body('GET', `/api/jobs/${encodeURIComponent(jobId)}${query}`, undefined, REQUEST_TIMEOUT_MS + (waitSeconds ?? 0) * 1000);
  }

  /** The job's server-sent events until the server ends the stream (after the job's final event). */
  async *jobEvents(jobId: string, lastEventId?: string): AsyncGenerator<ServerSentEvent> {
    const url = `${this.connection.apiUrl}/api/jobs/${encodeURIComponent(jobId)}/events`;
    const headers: Record<string, string> = { accept: 'text/event-stream', ...this.authorization() };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const idle = new AbortController();
    let idleTimer = setTimeout(() => idle.abort(new DOMException('stream idle', 'TimeoutError')), STREAM_IDLE_TIMEOUT_MS);
    const stillAlive = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => idle.abort(new DOMException('stream idle', 'TimeoutError')), STREAM_IDLE_TIMEOUT_MS);
    };
    try {
      let response: Response;
      try {
        response = await this.fetchImpl(url, { headers, signal: idle.signal });
      } catch (error) {
        throw new NetworkError(displayUrl(this.connection.apiUrl), networkReason(error, STREAM_IDLE_TIMEOUT_MS));
      }
      if (!response.ok || !response.body) throw apiErrorOf(response, parseJson(await response.text()));
      const parser = new ServerSentEventParser();
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body) {
          stillAlive();
          yield* parser.push(decoder.decode(chunk as Uint8Array, { stream: true }));
        }
      } catch (error) {
        throw new NetworkError(displayUrl(this.connection.apiUrl), networkReason(error, STREAM_IDLE_TIMEOUT_MS));
      }
    } finally {
      clearTimeout(idleTimer);
      idle.abort();
    }
  }

  cancelJob(jobId: string): Promise<CancelAnswer> {
    return this.body('DELETE', `/api/jobs/${encodeURIComponent(jobId)}`);
  }

  operationMode(): Promise<OperationModeAnswer> {
    return this.body('GET', '/api/operation-mode');
  }

  setOverride(request: OverrideRequest): Promise<ModeChangeAnswer> {
    return this.body('PUT', '/api/operation-mode', request);
  }

  clearOverride(reason?: string): Promise<ModeChangeAnswer> {
    return this.body('DELETE', '/api/operation-mode/override', reason === undefined ? undefined : { reason });
  }

  private authorization(): Record<string, string> {
    return this.connection.apiKey === undefined ? {} : { authorization: `Bearer ${this.connection.apiKey}` };
  }

  private async body<T>(method: string, path: string, json?: unknown, timeoutMs?: number): Promise<T> {
    return (await this.send<T>(method, path, json, timeoutMs)).body;
  }

  private async send<T>(method: string, path: string, json?: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Answer<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.authorization() };
    if (json !== undefined) headers['content-type'] = 'application/json';
    const url = `${this.connection.apiUrl}${path}`;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new NetworkError(displayUrl(this.connection.apiUrl), networkReason(error, timeoutMs));
    }
    const body = parseJson(text);
    if (!response.ok) throw apiErrorOf(response, body);
    if (body === undefined && text !== '') {
      throw new ApiError(response.status, 'invalid_response', `${method} ${path} did not answer JSON (is ${displayUrl(this.connection.apiUrl)} the analysis API?)`);
    }
    return { status: response.status, body: body as T };
  }
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function apiErrorOf(response: Response, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : 'http_error';
  const message = typeof error?.message === 'string' ? error.message : response.statusText || 'no error message';
  const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
  return new ApiError(response.status, code, message, Number.isFinite(retryAfter) ? retryAfter : undefined);
}

/** fetch reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND, ...) in its cause. */
function networkReason(error: unknown, timeoutMs: number): string {
  if ((error as Error).name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.message ?? cause?.code ?? (error as Error).message;
}

/** The URL as shown in messages: without any user:password part. */
function displayUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/$/, '');
}

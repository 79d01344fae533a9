/**
 * A wire-compatible emulator of the Anthropic Messages and OpenAI Chat Completions APIs for integration
 * tests: the real SDKs talk to it over HTTP, and each test programs the faults it wants them to meet.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { anthropicDialect } from './anthropic';
import {
  assistantText,
  documentAnswer,
  documentInPrompt,
  estimateTokens,
  ProviderController,
  randomId,
  type Fault,
  type ProviderDialect,
  type ProviderName,
  type RequestRecord,
} from './faults';
import { openaiDialect } from './openai';

export { DEFAULT_ANALYSIS, DEFAULT_ANALYSIS_TEXT, MALFORMED_TEXT, documentAnswer, fencedText, ProviderController } from './faults';
export type { Fault, ProviderName, RequestRecord, TokenUsage } from './faults';

export interface ProviderEmulator {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  /** Anthropic `baseURL`: the SDK appends `/v1/messages`. */
  readonly anthropicBaseUrl: string;
  /** OpenAI `baseURL` (includes `/v1`): the SDK appends `/chat/completions`. */
  readonly openaiBaseUrl: string;
  /** A second OpenAI-dialect server standing in for Ollama / vLLM behind OPENAI_COMPATIBLE_BASE_URL. */
  readonly openaiCompatibleBaseUrl: string;
  provider(name: ProviderName): ProviderController;
  /** Resets both providers: faults, defaults, counters, open connections. */
  reset(): void;
  close(): Promise<void>;
}

const DIALECTS: Record<ProviderName, ProviderDialect> = {
  anthropic: anthropicDialect,
  openai: openaiDialect,
  'openai-compatible': openaiDialect,
};

/** One request on its way through the emulator. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  dialect: ProviderDialect;
  controller: ProviderController;
  requestId: string;
}

export async function startProviderEmulator(options: { port?: number } = {}): Promise<ProviderEmulator> {
  const controllers: Record<ProviderName, ProviderController> = {
    anthropic: new ProviderController('anthropic'),
    openai: new ProviderController('openai'),
    'openai-compatible': new ProviderController('openai-compatible'),
  };
  const server = http.createServer((req, res) => {
    route(req, res, controllers).catch((error: unknown) => {
      // Usually the client went away mid-body; otherwise report the emulator bug to the caller.
      sendJson(res, 500, { error: { type: 'emulator_error', message: String(error) } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    anthropicBaseUrl: `${url}/anthropic`,
    openaiBaseUrl: `${url}/openai/v1`,
    openaiCompatibleBaseUrl: `${url}/openai-compatible/v1`,
    provider: (name) => controllers[name],
    reset: () => Object.values(controllers).forEach((controller) => controller.reset()),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, controllers: Record<ProviderName, ProviderController>): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://emulator').pathname;
  const match = /^\/(anthropic|openai-compatible|openai)(\/.*)$/.exec(path);
  if (!match) return sendJson(res, 404, { error: { type: 'not_found', message: `No provider at ${path}; use /anthropic, /openai or /openai-compatible` } });
  const name = match[1] as ProviderName;
  const exchange: Exchange = { req, res, path, dialect: DIALECTS[name], controller: controllers[name], requestId: randomId('req_') };
  const { dialect } = exchange;
  const subpath = match[2];

  if (req.method === 'POST' && subpath === dialect.completionPath) return answerCompletion(exchange);
  if (req.method === 'GET' && subpath === dialect.modelsPath) {
    if (!dialect.hasCredentials(req.headers)) return sendError(exchange, 401, dialect.missingCredentials);
    return sendJson(res, 200, dialect.models(), { [dialect.requestIdHeader]: exchange.requestId });
  }
  sendError(exchange, 404, `Not found: ${req.method} ${subpath}`);
}

async function answerCompletion(exchange: Exchange): Promise<void> {
  const { req, dialect, controller } = exchange;
  const closed = controller.track(exchange.res);
  const raw = await readBody(req);
  const body = parseObject(raw);
  const record: RequestRecord = {
    at: Date.now(),
    path: exchange.path,
    model: typeof body?.model === 'string' ? body.model : undefined,
    headers: { xApiKey: Boolean(req.headers['x-api-key']), authorization: Boolean(req.headers.authorization) },
    body: body ?? raw,
    fault: undefined,
  };

  // A request the real API would reject is rejected the same way, without consuming a programmed fault.
  if (!dialect.hasCredentials(req.headers)) {
    controller.record(record);
    return sendError(exchange, 401, dialect.missingCredentials);
  }
  const invalid = body ? dialect.invalidRequest(body) : 'The request body is not valid JSON.';
  if (!body || invalid) {
    controller.record(record);
    return sendError(exchange, 400, invalid);
  }

  const fault = controller.takeFault();
  const taken: RequestRecord = { ...record, fault: fault.kind, document: documentInPrompt(dialect.promptText(body)) };
  exchange.res.once('close', () => {
    taken.closedAt = Date.now();
    taken.finished = exchange.res.writableFinished;
  });
  controller.record(taken);
  await play(fault, exchange, body, closed);
}

async function play(fault: Fault, exchange: Exchange, body: Record<string, unknown>, closed: AbortSignal): Promise<void> {
  // A hanging request ends only when its client closes the connection; ProviderController.track counts that.
  if (fault.kind === 'hang') return;
  const stillOpen = await sleep(fault.delayMs ?? 0, true, { signal: closed }).catch(() => false);
  if (!stillOpen) return;

  const { res, dialect, controller } = exchange;
  switch (fault.kind) {
    case 'reset':
      return controller.resetConnection(res);
    case 'status':
      return sendError(exchange, fault.status, undefined, fault.body, fault.headers);
    default: {
      const text = fault.kind === 'per-document' ? JSON.stringify(documentAnswer(documentInPrompt(dialect.promptText(body)) ?? '')) : assistantText(fault);
      const usage = (fault.kind === 'ok' && fault.usage) || {
        input: estimateTokens(dialect.promptText(body)),
        output: estimateTokens(text),
      };
      const model = String(body.model);
      return sendJson(res, 200, dialect.completion({ model, text, usage }), { [dialect.requestIdHeader]: exchange.requestId });
    }
  }
}

function sendError(exchange: Exchange, status: number, message?: string, body?: object, headers: Record<string, string> = {}): void {
  const { dialect, requestId } = exchange;
  sendJson(exchange.res, status, body ?? dialect.errorBody(status, requestId, message), { [dialect.requestIdHeader]: requestId, ...headers });
}

function sendJson(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseObject(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

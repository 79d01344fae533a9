/**
 * The fault model of the provider emulator: what a test can program, what the emulator counts, and the
 * contract each provider dialect (Anthropic, OpenAI) fulfils so that one request pipeline serves both.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AnalysisContent } from '../../shared/core/analysis-result';
import type { CacheSplit, PromptCache } from './prompt-cache';
import { BatchStore, type BatchBehaviour } from './batches';

export type ProviderName = 'anthropic' | 'openai' | 'openai-compatible';

/**
 * A completion's usage, billed alike by both dialects: `input` plain prompt tokens, `cacheRead` and
 * `cacheWrite` prompt tokens served from / written to the prompt cache. Anthropic reports them apart
 * (`input_tokens` + `cache_*_input_tokens`); OpenAI folds reads into `prompt_tokens` (`cached_tokens`).
 */
export interface TokenUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/** One programmed behaviour; each completion request consumes one (the queue first, then the default). */
export type Fault =
  /** 200 with `content` (default: {@link DEFAULT_ANALYSIS} as JSON). Usage defaults to ceil(chars / 4). */
  | { kind: 'ok'; content?: string; usage?: TokenUsage; delayMs?: number }
  /** An HTTP error with the provider's error body (or `body` verbatim) and extra `headers` such as retry-after. */
  | { kind: 'status'; status: number; body?: object; headers?: Record<string, string>; delayMs?: number }
  /** Never answers; the request ends only when the client gives up (counted in `aborted`). */
  | { kind: 'hang' }
  /** 200 whose assistant text is prose, not JSON. */
  | { kind: 'malformed'; content?: string; delayMs?: number }
  /** 200 whose assistant text is the JSON inside ```json fences, with prose around it. */
  | { kind: 'fenced'; content?: string; delayMs?: number }
  /** Destroys the socket without writing a response. */
  | { kind: 'reset'; delayMs?: number }
  /** 200 with {@link documentAnswer} of the document in the prompt: each document gets its own deterministic answer. */
  | { kind: 'per-document'; delayMs?: number };

export const DEFAULT_ANALYSIS = {
  summary: 'The document announces a new regional office and the hiring plans that come with it.',
  keyPoints: ['A regional office opens in Lisbon next spring', 'Forty engineers will be hired over two years'],
  entities: [
    { name: 'Lisbon', type: 'location' },
    { name: 'Acme Corporation', type: 'organization' },
  ],
  sentiment: { label: 'positive', score: 0.5 },
  topics: ['expansion', 'hiring'],
  language: 'en',
} as const satisfies AnalysisContent;

export const DEFAULT_ANALYSIS_TEXT = JSON.stringify(DEFAULT_ANALYSIS);

export const MALFORMED_TEXT =
  'Sure! This document is about a company opening a new office. Overall the tone is upbeat, ' +
  'and it mentions hiring plans. Let me know if you would like a more detailed analysis.';

export function fencedText(json: string): string {
  return `Here is the analysis you asked for:\n\n\`\`\`json\n${json}\n\`\`\`\n\nLet me know if you need anything else.`;
}

/** The assistant text a 200-answering fault produces. */
export function assistantText(fault: Extract<Fault, { kind: 'ok' | 'malformed' | 'fenced' }>): string {
  switch (fault.kind) {
    case 'ok':
      return fault.content ?? DEFAULT_ANALYSIS_TEXT;
    case 'malformed':
      return fault.content ?? MALFORMED_TEXT;
    case 'fenced':
      return fencedText(fault.content ?? JSON.stringify(DEFAULT_ANALYSIS, null, 2));
  }
}

/** The document text inside the analysis prompt's `<document>` element (see shared/core/providers/prompt.ts). */
export function documentInPrompt(promptText: string): string | undefined {
  return /<document>\n([\s\S]*)\n<\/document>/.exec(promptText)?.[1];
}

/** The analysis a `per-document` fault answers for `document`: derived from its digest, so a mixed-up answer shows. */
export function documentAnswer(document: string): AnalysisContent {
  const digest = createHash('sha256').update(document).digest('hex').slice(0, 16);
  return {
    summary: `Emulated analysis of document ${digest}.`,
    keyPoints: [`The document is ${document.length} characters long`],
    entities: [{ name: `Document ${digest}`, type: 'other' }],
    sentiment: { label: 'neutral', score: 0 },
    topics: [`digest-${digest.slice(0, 4)}`],
    language: 'en',
  };
}

export const randomId = (prefix: string): string => `${prefix}${randomBytes(12).toString('hex')}`;

export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** The text of a message `content`: a string, or an array of parts whose `text` fields are joined. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) => (part && typeof part === 'object' && 'text' in part && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

/** What differs between providers: routes, auth, request validation, and the JSON they answer with. */
export interface ProviderDialect {
  readonly name: ProviderName;
  /** Path below the provider prefix, e.g. `/v1/messages`. */
  readonly completionPath: string;
  readonly modelsPath: string;
  readonly requestIdHeader: string;
  hasCredentials(headers: IncomingHttpHeaders): boolean;
  /** The 401 message when the key header is missing. */
  readonly missingCredentials: string;
  /** A provider-worded message when the body is not a request the API would accept. */
  invalidRequest(body: Record<string, unknown>): string | undefined;
  promptText(body: Record<string, unknown>): string;
  /** How the prompt's tokens split into plain input and prompt-cache reads and writes. */
  promptUsage(body: Record<string, unknown>, cache: PromptCache): CacheSplit;
  completion(answer: { model: string; text: string; usage: TokenUsage }): object;
  errorBody(status: number, requestId: string, message?: string): object;
  models(): object;
}

export interface RequestRecord {
  at: number;
  path: string;
  model: string | undefined;
  headers: { xApiKey: boolean; authorization: boolean };
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  /** The fault this request consumed; undefined when it was rejected before (auth, validation). */
  fault: Fault['kind'] | undefined;
  /** The document text of an analysis prompt, so calls can be counted per document. */
  document?: string;
  /** When the exchange's connection closed, and whether the emulator had written its whole response by then. */
  closedAt?: number;
  finished?: boolean;
}

interface Counters {
  requestLog: RequestRecord[];
  aborted: number;
  inFlight: number;
  peakInFlight: number;
}

const newCounters = (): Counters => ({ requestLog: [], aborted: 0, inFlight: 0, peakInFlight: 0 });

/** One provider's fault programming and counters. */
export class ProviderController {
  private queue: Fault[] = [];
  private defaultFault: Fault = { kind: 'ok' };
  /** Replaced on reset(), so requests still open from an earlier test update a detached object. */
  private counters = newCounters();
  private readonly open = new Set<ServerResponse>();
  private readonly resetByUs = new WeakSet<ServerResponse>();
  private readonly changes = new EventEmitter().setMaxListeners(0);
  /** What this provider has cached of earlier prompts (cleared by reset()). */
  readonly promptCache: PromptCache;
  private held: { gate: Promise<void>; release: () => void } | undefined;
  /** Batches submitted to this provider's batch API (items take their outcomes from the fault queue). */
  batches = new BatchStore();

  constructor(
    readonly name: ProviderName,
    promptCache: PromptCache,
  ) {
    this.promptCache = promptCache;
  }

  enqueue(...faults: Fault[]): this {
    this.queue.push(...faults);
    return this;
  }

  setDefault(fault: Fault): this {
    this.defaultFault = fault;
    return this;
  }

  /** How batches submitted from now on behave: processing time, expiry. */
  setBatchBehaviour(behaviour: Partial<BatchBehaviour>): this {
    Object.assign(this.batches.behaviour, behaviour);
    return this;
  }

  /**
   * Completion requests that arrive from now on wait (connection open, nothing sent) until `release()`;
   * a test fills its workers' slots this way to build a queue behind them without relying on timing.
   */
  hold(): this {
    if (!this.held) {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      this.held = { gate, release };
    }
    return this;
  }

  release(): this {
    this.held?.release();
    this.held = undefined;
    return this;
  }

  /** @internal Resolves once the provider is not held. */
  whenReleased(): Promise<void> {
    return this.held?.gate ?? Promise.resolve();
  }

  get requests(): number {
    return this.counters.requestLog.length;
  }
  get requestLog(): readonly RequestRecord[] {
    return this.counters.requestLog;
  }
  /** Requests whose client closed the connection before the emulator finished answering. */
  get aborted(): number {
    return this.counters.aborted;
  }
  get inFlight(): number {
    return this.counters.inFlight;
  }
  /** The most requests open at once since the last reset. */
  get peakInFlight(): number {
    return this.counters.peakInFlight;
  }
  get queuedFaults(): number {
    return this.queue.length;
  }

  waitForRequests(n: number, timeoutMs = 5_000): Promise<readonly RequestRecord[]> {
    return this.waitUntil(() => (this.requests >= n ? [...this.requestLog] : undefined), timeoutMs, `${n} request(s)`);
  }

  waitForAbort(timeoutMs = 5_000, count = 1): Promise<number> {
    return this.waitUntil(() => (this.aborted >= count ? this.aborted : undefined), timeoutMs, `${count} aborted request(s)`);
  }

  /** Clears faults, default and counters, and drops connections still open (e.g. hanging requests). */
  reset(): void {
    this.queue = [];
    this.defaultFault = { kind: 'ok' };
    this.release();
    this.batches = new BatchStore();
    this.counters = newCounters();
    this.promptCache.clear();
    for (const res of this.open) this.resetConnection(res);
    this.changes.emit('change');
  }

  /** @internal The server calls this when a completion request arrives; the exchange is tracked until its socket closes. */
  track(res: ServerResponse): AbortSignal {
    const counters = this.counters;
    const closed = new AbortController();
    counters.inFlight++;
    counters.peakInFlight = Math.max(counters.peakInFlight, counters.inFlight);
    this.open.add(res);
    res.once('close', () => {
      this.open.delete(res);
      counters.inFlight--;
      if (!res.writableFinished && !this.resetByUs.has(res)) counters.aborted++;
      closed.abort();
      this.changes.emit('change');
    });
    return closed.signal;
  }

  /** @internal */
  record(entry: RequestRecord): void {
    this.counters.requestLog.push(entry);
    this.changes.emit('change');
  }

  /** @internal */
  takeFault(): Fault {
    return this.queue.shift() ?? this.defaultFault;
  }

  /** @internal Drops the connection on purpose: not counted as a client abort. */
  resetConnection(res: ServerResponse): void {
    this.resetByUs.add(res);
    res.socket?.destroy();
  }

  private waitUntil<T>(read: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = read();
        if (value === undefined) return;
        stop();
        resolve(value);
      };
      const timer = setTimeout(() => {
        stop();
        const { requests, aborted, inFlight } = this;
        reject(new Error(`${this.name} emulator: no ${what} within ${timeoutMs} ms (requests=${requests}, aborted=${aborted}, inFlight=${inFlight})`));
      }, timeoutMs);
      const stop = () => {
        clearTimeout(timer);
        this.changes.off('change', check);
      };
      this.changes.on('change', check);
      check();
    });
  }
}

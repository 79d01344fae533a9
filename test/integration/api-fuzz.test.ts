/**
 * Thousands of randomized bad requests against every endpoint of a real API on a real Temporal server:
 * none may crash a handler (5xx, other than the two documented 503s), every 4xx must be the JSON error
 * shape, and the API must still serve afterwards. Deterministic per seed: FUZZ_SEED=<n> replays a run.
 */
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { getTestStack, type RunningWorkers } from '../helpers/stack';

const CLIENT_KEY = 'fuzz-client-key-0123456789';
const ADMIN_KEY = 'fuzz-admin-key-0123456789';
const TOTAL_REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2400);
const CONCURRENCY = 16;
const SEED = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31));
/** 503s that are answers, not crashes. */
const LEGITIMATE_503_CODES = new Set(['analysis_disabled', 'operation_mode_unavailable']);

type Json = Record<string, unknown>;

interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

interface Outcome {
  status?: number;
  contentType?: string;
  text?: string;
  transportError?: string;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  text(length: number, alphabet: string | readonly string[]): string {
    const symbols = typeof alphabet === 'string' ? [...alphabet] : alphabet;
    return Array.from({ length }, () => this.pick(symbols)).join('');
  }
  hex(length: number): string {
    return this.text(length, '0123456789abcdef');
  }
  bytes(length: number): Buffer {
    return Buffer.from(Array.from({ length }, () => this.int(256)));
  }
}

const PRINTABLE = ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';
/** For JSON strings: includes a lone surrogate, NUL, bidi override and BOM. */
const UNICODE_TEXT = ['é', 'ß', '中', '文', '🙂', '\u0000', '\u202e', '\ufeff', '\ud800', 'a', ' ', '"', '\\'];
/** For URLs (encodeURIComponent rejects lone surrogates). */
const UNICODE_ID = ['é', 'ß', '中', '🙂', '\u0000', '\u202e', '\ufeff', '/', '?', '#', '%', ' ', '.', 'a'];

// ---- what each endpoint accepts, and values each field must refuse ----

const NOT_A_STRING = [null, true, 0, 1.5, [], ['a'], {}, { a: 1 }];
const NOT_AN_INT = [null, true, '64', 64.5, [], {}, -1, 1e300];
const NOT_AN_OBJECT = [null, 'x', 1, true, [], [1]];
const TOO_LONG_TEXT = 'x'.repeat(501);

interface BodyEndpoint {
  method: string;
  path: (context: FuzzContext) => string;
  admin?: boolean;
  /** A body the route would accept; never sent as is. */
  valid: (context: FuzzContext) => Json;
  /** Per field, values the route must refuse. */
  wrong: Record<string, readonly unknown[]>;
  /** Bodies that are well-typed but break a rule across fields, or name what does not exist. */
  invalid?: (context: FuzzContext) => Json[];
  /** Strict endpoints refuse unknown fields; the codec protocol ignores them. */
  strict: boolean;
  /** The body is optional: a request without JSON is a valid request (so content-type fuzzing skips it). */
  bodyOptional?: boolean;
}

interface FuzzContext {
  random: Random;
  documentId: string;
  maxBytes: number;
}

const absentDocumentId = (random: Random) => `doc_${random.hex(32)}`;
const absentJobId = (random: Random) => `analysis-${random.hex(64)}`;
const b64 = (text: string) => Buffer.from(text).toString('base64');

const BODY_ENDPOINTS: Record<string, BodyEndpoint> = {
  createDocument: {
    method: 'POST',
    path: () => '/api/documents',
    valid: () => ({ content: 'Acme hires forty engineers in Lisbon.', title: 'fuzz', metadata: { source: 'fuzz' } }),
    wrong: { content: [...NOT_A_STRING, ''], title: [...NOT_A_STRING, TOO_LONG_TEXT], metadata: NOT_AN_OBJECT },
    invalid: () => [{}, { title: 'no content' }],
    strict: true,
  },
  updateDocument: {
    method: 'PUT',
    path: ({ random, documentId }) => `/api/documents/${random.chance(0.5) ? documentId : absentDocumentId(random)}`,
    valid: () => ({ content: 'Replaced text.', title: 'fuzz' }),
    wrong: { content: [...NOT_A_STRING, ''], title: [...NOT_A_STRING, TOO_LONG_TEXT], metadata: NOT_AN_OBJECT },
    invalid: () => [{}],
    strict: true,
  },
  analyze: {
    method: 'POST',
    path: () => '/api/analyze',
    valid: ({ random, documentId }) => (random.chance(0.5) ? { documentId } : { content: 'Inline text.', title: 'fuzz' }),
    wrong: {
      documentId: NOT_A_STRING,
      content: [...NOT_A_STRING, ''],
      title: [...NOT_A_STRING, TOO_LONG_TEXT],
      analysisType: ['partial', 'FULL', '', 1, null, []],
      maxTokens: [...NOT_AN_INT, 63, 32_001, 0],
    },
    invalid: ({ random, documentId }) => [
      {},
      { documentId, content: 'both' },
      { documentId, title: 'title without content' },
      { analysisType: 'full' },
      { documentId: absentDocumentId(random) },
      { documentId: '../../etc/passwd' },
    ],
    strict: true,
  },
  analyzeBatch: {
    method: 'POST',
    path: () => '/api/analyze/batch',
    valid: ({ documentId }) => ({ documentIds: [documentId], concurrency: 2 }),
    wrong: {
      documentIds: [null, 'doc', {}, [], [1], [null], [{}], Array.from({ length: 101 }, (_, i) => `doc_${String(i).padStart(32, '0')}`)],
      analysisType: ['partial', 1, null],
      maxTokens: [...NOT_AN_INT, 63, 32_001],
      concurrency: [...NOT_AN_INT, 0, 21],
    },
    invalid: ({ random, documentId }) => [{}, { documentIds: [documentId, documentId] }, { documentIds: [absentDocumentId(random)] }],
    strict: true,
  },
  setOverride: {
    method: 'PUT',
    path: () => '/api/operation-mode',
    admin: true,
    valid: () => ({ mode: 'NORMAL', reason: 'fuzz' }),
    wrong: {
      mode: ['normal', 'BOGUS', '', ...NOT_A_STRING],
      reason: ['', '   ', TOO_LONG_TEXT, ...NOT_A_STRING],
      severity: ['high', '', ...NOT_A_STRING],
      // The last one is well-formed but in the past: the workflow's update validator refuses it.
      expiresAt: ['tomorrow', '2030-01-01', '2030-01-01T00:00:00', 123, null, '2020-01-01T00:00:00Z'],
    },
    invalid: () => [{}, { reason: 'no mode' }, { mode: 'MAINTENANCE' }],
    strict: true,
  },
  clearOverride: {
    method: 'DELETE',
    path: () => '/api/operation-mode/override',
    admin: true,
    valid: () => ({ reason: 'fuzz' }),
    wrong: { reason: ['', '   ', TOO_LONG_TEXT, ...NOT_A_STRING] },
    strict: true,
    bodyOptional: true,
  },
  codecEncode: {
    method: 'POST',
    path: () => '/codec/encode',
    valid: () => ({ payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('"x"') }] }),
    wrong: { payloads: [null, 'x', 1, {}, [1], [null], [{ metadata: 'x' }], [{ data: '***' }], [{ metadata: { encoding: '%%%' } }]] },
    strict: false,
  },
  codecDecode: {
    method: 'POST',
    path: () => '/codec/decode',
    valid: () => ({ payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('"x"') }] }),
    wrong: { payloads: [null, 'x', 1, {}, [1], [{ metadata: 'x' }], [{ data: '***' }]] },
    invalid: ({ random }) => [
      { payloads: [{ metadata: { encoding: b64('binary/encrypted'), 'encryption-key-id': b64('nope') }, data: random.bytes(40).toString('base64') }] },
      { payloads: [{ metadata: { encoding: b64('binary/encrypted') }, data: '' }] },
    ],
    strict: false,
  },
};

/** Endpoints read through the path and query only. */
const PATH_ENDPOINTS: { method: string; path: (context: FuzzContext, id?: string) => string; takesId?: boolean; admin?: boolean }[] = [
  { method: 'GET', path: (_c, id) => `/api/documents/${id}`, takesId: true },
  // Never the stored document: it must survive for the bodies above.
  { method: 'DELETE', path: (_c, id) => `/api/documents/${id}`, takesId: true },
  { method: 'GET', path: (_c, id) => `/api/jobs/${id}`, takesId: true },
  { method: 'DELETE', path: (_c, id) => `/api/jobs/${id}`, takesId: true },
  { method: 'GET', path: (_c, id) => `/api/batches/${id}`, takesId: true },
  { method: 'GET', path: () => '/api/jobs' },
  { method: 'GET', path: () => '/api/health' },
  { method: 'GET', path: () => '/api/health/live' },
  { method: 'GET', path: () => '/api/health/ready' },
  { method: 'GET', path: () => '/api/feature-flags' },
  { method: 'GET', path: () => '/api/operation-mode', admin: true },
];

const ALLOWED_METHODS: Record<string, string[]> = {
  '/api/documents': ['POST'],
  '/api/documents/:id': ['GET', 'PUT', 'DELETE'],
  '/api/analyze': ['POST'],
  '/api/analyze/batch': ['POST'],
  '/api/jobs': ['GET'],
  '/api/jobs/:id': ['GET', 'DELETE'],
  '/api/batches/:id': ['GET'],
  '/api/health': ['GET'],
  '/api/health/live': ['GET'],
  '/api/health/ready': ['GET'],
  '/api/feature-flags': ['GET'],
  '/api/operation-mode': ['GET', 'PUT'],
  '/api/operation-mode/override': ['DELETE'],
  '/codec/encode': ['POST'],
  '/codec/decode': ['POST'],
};

function badId(random: Random): string {
  return random.pick<() => string>([
    () => random.text(1 + random.int(40), 'abcdefghijklmnopqrstuvwxyz0123456789_-'),
    () => encodeURIComponent(random.text(1 + random.int(12), UNICODE_ID)),
    () => '..%2F..%2Fetc%2Fpasswd',
    () => '%2e%2e%2f%2e%2e%2f',
    () => '..',
    () => 'x'.repeat(2_000 + random.int(6_000)),
    () => '',
    () => random.pick(['%00', '%E0%A4%A', '%', '%ZZ', '%C0%AE', '%uD800']),
    () => encodeURIComponent("' OR 1=1 --"),
    () => encodeURIComponent('{"$ne":null}'),
    () => `doc_${random.hex(31)}`,
    () => `DOC_${random.hex(32).toUpperCase()}`,
    () => `analysis-${random.hex(63)}`,
    () => `analysis-${randomUUIDFrom(random)}x`,
    () => absentDocumentId(random),
    () => absentJobId(random),
    () => `batch-${randomUUIDFrom(random)}`,
  ])();
}

function randomUUIDFrom(random: Random): string {
  const hex = random.hex(32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Valid JSON text turned into something a JSON parser must refuse (or a top level it must refuse). */
function malformedJson(random: Random, json: string): string {
  const deep = 10_000;
  return random.pick<() => string>([
    () => json.slice(0, 1 + random.int(Math.max(1, json.length - 2))),
    () => json.replace(/}$/, ',}'),
    () => json.replace(/^{/, '{"maxTokens": NaN, '),
    () => json.replace(/^{/, '{"maxTokens": Infinity, '),
    () => json.replace(/^{/, '{"content": undefined, '),
    () => json.replaceAll('"', "'"),
    () => json.replace(/"(\w+)":/, '$1:'),
    () => json.replace(/}$/, ' /* comment */ }'),
    () => json + json,
    () => '['.repeat(deep) + ']'.repeat(deep),
    () => '['.repeat(deep),
    () => '{"a":'.repeat(deep / 2),
    () => json.replace(/^{/, `{"metadata": ${'['.repeat(deep)}${']'.repeat(deep)}, `),
    () => random.pick(['null', 'true', '"text"', '123', '[]', '-', '{', '}', '\u0000']),
    () => '{"content": "\\u00zz"}',
    () => '{"content": "unterminated',
    () => random.text(1 + random.int(200), PRINTABLE),
  ])();
}

// ---- building requests ----

function authHeaders(admin: boolean | undefined): Record<string, string> {
  return { authorization: `Bearer ${admin ? ADMIN_KEY : CLIENT_KEY}` };
}

function jsonRequest(kind: string, endpoint: BodyEndpoint, context: FuzzContext, body: string | Buffer, extraHeaders: Record<string, string> = {}): FuzzRequest {
  return {
    kind,
    method: endpoint.method,
    path: endpoint.path(context),
    headers: { ...authHeaders(endpoint.admin), 'content-type': 'application/json', ...extraHeaders },
    body,
  };
}

/** Every field of every body endpoint with every value it must refuse: the systematic part of the run. */
function everyWrongType(context: FuzzContext): FuzzRequest[] {
  return Object.entries(BODY_ENDPOINTS).flatMap(([name, endpoint]) =>
    Object.entries(endpoint.wrong).flatMap(([field, values]) =>
      values.map((value) => jsonRequest(`wrong-type ${name}.${field}`, endpoint, context, JSON.stringify({ ...endpoint.valid(context), [field]: value }))),
    ),
  );
}

const GENERATORS: Record<string, (context: FuzzContext) => FuzzRequest> = {
  'malformed-json': (context) => {
    const [, endpoint] = context.random.pick(Object.entries(BODY_ENDPOINTS));
    // Built from a body the schema refuses anyway, so a lenient parser cannot turn it into a valid request.
    const body = malformedJson(context.random, JSON.stringify({ ...endpoint.valid(context), unknownFuzzField: 1 }));
    return jsonRequest('malformed-json', endpoint, context, body === '' && endpoint.bodyOptional ? '{' : body);
  },
  'wrong-type': (context) => {
    const [name, endpoint] = context.random.pick(Object.entries(BODY_ENDPOINTS));
    const [field, values] = context.random.pick(Object.entries(endpoint.wrong));
    return jsonRequest(`wrong-type ${name}.${field}`, endpoint, context, JSON.stringify({ ...endpoint.valid(context), [field]: context.random.pick(values) }));
  },
  'rule-broken': (context) => {
    const candidates = Object.values(BODY_ENDPOINTS).filter((endpoint) => endpoint.invalid);
    const endpoint = context.random.pick(candidates);
    return jsonRequest('rule-broken', endpoint, context, JSON.stringify(context.random.pick(endpoint.invalid!(context))));
  },
  'unknown-field': (context) => {
    const endpoint = context.random.pick(Object.values(BODY_ENDPOINTS).filter((candidate) => candidate.strict));
    const key = context.random.pick(['__proto__', 'constructor', 'prototype', 'admin', 'id', '', ' ', context.random.text(8, UNICODE_TEXT), context.random.text(8, PRINTABLE)]);
    const value = context.random.pick<unknown>([1, 'x', { polluted: true }, null, []]);
    const json = JSON.stringify(endpoint.valid(context)).replace(/}$/, `, ${JSON.stringify(key)}: ${JSON.stringify(value)}}`);
    return jsonRequest('unknown-field', endpoint, context, json);
  },
  'huge-string': (context) => {
    const { random, maxBytes } = context;
    // Over the document limit by bytes, by characters (2-byte é), or over the whole body limit.
    const content = random.pick([() => 'a'.repeat(maxBytes + 1), () => 'é'.repeat(Math.floor(maxBytes / 2) + 1), () => 'b'.repeat(maxBytes + 128 * 1024)])();
    const endpoint = random.pick([BODY_ENDPOINTS.createDocument!, BODY_ENDPOINTS.updateDocument!, BODY_ENDPOINTS.analyze!]);
    const field = random.chance(0.8) ? 'content' : random.pick(['title', 'documentId', 'unknownFuzzField']);
    const base = endpoint === BODY_ENDPOINTS.analyze && field === 'content' ? {} : endpoint.valid(context);
    return jsonRequest(`huge-string ${field}`, endpoint, context, JSON.stringify({ ...base, [field]: content }));
  },
  'deep-nesting-in-field': (context) => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const endpoint = context.random.pick([BODY_ENDPOINTS.createDocument!, BODY_ENDPOINTS.updateDocument!, BODY_ENDPOINTS.codecEncode!]);
    const body = endpoint === BODY_ENDPOINTS.codecEncode ? `{"payloads": ${deep}}` : `{"content": "deep", "metadata": {"deep": ${deep}}}`;
    return jsonRequest('deep-nesting-in-field', endpoint, context, body);
  },
  'invalid-id': (context) => {
    const endpoint = context.random.pick([...PATH_ENDPOINTS.filter((candidate) => candidate.takesId), { method: 'PUT', path: (_c: FuzzContext, id?: string) => `/api/documents/${id}` }]);
    const body = endpoint.method === 'PUT' ? JSON.stringify({ content: 'x' }) : undefined;
    return {
      kind: 'invalid-id',
      method: endpoint.method,
      path: endpoint.path(context, badId(context.random)),
      headers: { ...authHeaders(false), ...(body && { 'content-type': 'application/json' }) },
      ...(body && { body }),
    };
  },
  'wrong-method': (context) => {
    const [template, allowed] = context.random.pick(Object.entries(ALLOWED_METHODS));
    const method = context.random.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((candidate) => !allowed.includes(candidate)));
    const path = template.replace(':id', context.random.chance(0.5) ? absentDocumentId(context.random) : absentJobId(context.random));
    const body = method === 'GET' || context.random.chance(0.3) ? undefined : JSON.stringify({ content: 'x', unknownFuzzField: 1 });
    return { kind: 'wrong-method', method, path, headers: { ...authHeaders(path.includes('operation-mode')), ...(body && { 'content-type': 'application/json' }) }, ...(body && { body }) };
  },
  'wrong-content-type': (context) => {
    const { random } = context;
    const endpoint = random.pick(Object.values(BODY_ENDPOINTS).filter((candidate) => !candidate.bodyOptional));
    // Refused by the schema too, so a lenient parser cannot turn it into a request that changes anything.
    const json = JSON.stringify({ ...endpoint.valid(context), ...(endpoint.strict && { unknownFuzzField: 1 }) });
    const [contentType, body] = random.pick<[string | undefined, string]>([
      [undefined, json],
      ['text/plain', json],
      ['application/x-www-form-urlencoded', 'content=hello&title=x&documentIds=1'],
      ['multipart/form-data; boundary=FuzzBoundary', `--FuzzBoundary\r\nContent-Disposition: form-data; name="content"\r\n\r\nhello\r\n--FuzzBoundary--\r\n`],
      ['application/xml', '<content>hello</content>'],
      ['application/json; charset=latin1', json],
      ['application/json; charset=bogus', json],
      ['application/json; charset=utf-16', json],
      ['application/json; charset="', json],
      ['application/vnd.api+json', json],
      ['application/', json],
      ['*/*', json],
    ]);
    const headers: Record<string, string> = { ...authHeaders(endpoint.admin), ...(contentType !== undefined && { 'content-type': contentType }) };
    return { kind: `wrong-content-type ${contentType ?? 'none'}`, method: endpoint.method, path: endpoint.path(context), headers, body };
  },
  'invalid-query': (context) => {
    const { random } = context;
    const [path, query] = random.pick<[string, string]>([
      [`/api/jobs/${absentJobId(random)}`, `wait=${random.pick(['-1', 'abc', '31', '1e309', 'NaN', '', '0x10', '-0.5', '99999999999999999999', '1&wait=2', '%ZZ'])}`],
      [`/api/jobs/${badId(random)}`, 'wait=-1'],
      ['/api/jobs', `status=${random.pick(['bogus', '', 'QUEUED', 'queued&status=running', '%00'])}`],
      ['/api/jobs', `pageSize=${random.pick(['-1', '0', 'abc', '1e9', '1.5', '', '99999999999999999999'])}`],
      ['/api/jobs', `documentId=${encodeURIComponent(random.pick(["x' OR DocumentId != '", '"\\', '../', '\u0000', 'x'.repeat(3_000), "doc_' AND 1=1"]))}`],
      [random.pick(['/api/jobs', '/api/health', '/api/feature-flags', `/api/documents/${context.documentId}`]), `${random.pick(['__proto__', 'constructor', 'a[b]', '', '%ZZ'])}=${encodeURIComponent(random.text(5, PRINTABLE))}`],
    ]);
    return { kind: 'invalid-query', method: 'GET', path: `${path}?${query}`, headers: authHeaders(false) };
  },
  'random-headers': (context) => {
    const { random } = context;
    const base = random.chance(0.5)
      ? GENERATORS['wrong-type']!(context)
      : (() => {
          const endpoint = random.pick(PATH_ENDPOINTS);
          return { kind: '', method: endpoint.method, path: endpoint.path(context, absentDocumentId(random)), headers: authHeaders(endpoint.admin) } as FuzzRequest;
        })();
    const headers = { ...base.headers };
    const [name, value] = random.pick<[string, string]>([
      ['authorization', random.pick(['', 'Bearer', 'Bearer ', `Bearer ${CLIENT_KEY}x`, `Basic ${b64('a:b')}`, `bearer ${'k'.repeat(4_000)}`, `Bearer ${random.text(20, PRINTABLE)}`])],
      ['authorization', `Bearer ${CLIENT_KEY}`],
      [`x-fuzz-${random.hex(6)}`, random.text(1 + random.int(200), PRINTABLE)],
      ['accept', random.pick(['application/xml', 'text/html', '*/*;q=abc', ''])],
      ['accept-encoding', random.pick(['gzip', 'br', 'bogus', 'identity;q=0'])],
      ['x-forwarded-for', random.pick(['not-an-ip', '1.2.3.4, ::1', '', random.text(50, PRINTABLE)])],
      ['origin', random.pick(['null', 'https://evil.example', 'http://localhost:8233'])],
      ['cookie', `a=${random.text(30, PRINTABLE.replace(';', ''))}`],
      ['range', 'bytes=0-1'],
      ['if-none-match', '*'],
      ['x-namespace', random.text(20, PRINTABLE)],
    ]);
    if (name === 'authorization' && value === '') delete headers.authorization;
    else headers[name] = value;
    return { ...base, kind: `random-header ${name}`, headers };
  },
  'bad-encoding': (context) => {
    const { random } = context;
    const endpoint = random.pick(Object.values(BODY_ENDPOINTS).filter((candidate) => !candidate.bodyOptional));
    const [encoding, body] = random.pick<[string, Buffer]>([
      ['gzip', random.bytes(64)],
      ['deflate', random.bytes(64)],
      ['br', random.bytes(64)],
      ['bogus', Buffer.from('{}')],
      ['gzip, gzip', Buffer.from('{}')],
      // A gzip bomb: a few KiB that inflate past the body limit.
      ['gzip', gzipSync(Buffer.alloc(context.maxBytes * 3, ' '))],
      ['gzip', gzipSync(Buffer.from(malformedJson(random, JSON.stringify(endpoint.valid(context)))))],
    ]);
    return jsonRequest(`bad-encoding ${encoding}`, endpoint, context, body, { 'content-encoding': encoding });
  },
  'binary-garbage': (context) => {
    const endpoint = context.random.pick(Object.values(BODY_ENDPOINTS).filter((candidate) => !candidate.bodyOptional));
    const contentType = context.random.pick(['application/json', 'application/octet-stream']);
    return { ...jsonRequest('binary-garbage', endpoint, context, context.random.bytes(1 + context.random.int(4_096))), headers: { ...authHeaders(endpoint.admin), 'content-type': contentType } };
  },
  'get-with-body': (context) => {
    const endpoint = context.random.pick(PATH_ENDPOINTS.filter((candidate) => candidate.method === 'GET'));
    const body = malformedJson(context.random, '{"a":1}');
    return { kind: 'get-with-body', method: 'GET', path: endpoint.path(context, absentDocumentId(context.random)), headers: { ...authHeaders(endpoint.admin), 'content-type': 'application/json' }, body };
  },
};

function buildRequests(context: FuzzContext, total: number): FuzzRequest[] {
  const requests = everyWrongType(context);
  // Each generator at least a few times whatever the seed, then at random.
  for (const generate of Object.values(GENERATORS)) for (let i = 0; i < 10; i++) requests.push(generate(context));
  const names = Object.keys(GENERATORS);
  while (requests.length < total) {
    let name = context.random.pick(names);
    // Each huge body is a MiB or more; a few dozen make the point.
    if (name === 'huge-string' && context.random.chance(0.7)) name = 'wrong-type';
    requests.push(GENERATORS[name]!(context));
  }
  return requests;
}

// ---- sending and judging ----

function send(baseUrl: URL, agent: http.Agent, request: FuzzRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (!settled) {
        settled = true;
        resolve(outcome);
      }
    };
    const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body);
    const headers = { ...request.headers, ...(body && { 'content-length': String(body.length) }) };
    let outgoing: http.ClientRequest;
    try {
      outgoing = http.request({ hostname: baseUrl.hostname, port: baseUrl.port, method: request.method, path: request.path, headers, agent, timeout: 20_000 });
    } catch (error) {
      finish({ transportError: `client refused to send: ${(error as Error).message}` });
      return;
    }
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => finish({ status: response.statusCode, contentType: response.headers['content-type'], text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', (error) => finish({ status: response.statusCode, transportError: error.message }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('no response within 20 s')));
    // A server may answer (413) before it has read a large body; the answer is what counts.
    outgoing.on('error', (error) => finish({ transportError: error.message }));
    outgoing.end(body);
  });
}

async function runBounded<T, R>(items: readonly T[], concurrency: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Why a response breaks the contract, or undefined when it keeps it. */
function problemOf(request: FuzzRequest, outcome: Outcome): string | undefined {
  if (outcome.status === undefined) return `no response (${outcome.transportError})`;
  let parsed: { error?: { code?: unknown; message?: unknown } } | undefined;
  try {
    parsed = outcome.contentType?.includes('json') && outcome.text ? JSON.parse(outcome.text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (outcome.status >= 500) {
    const code = parsed?.error?.code;
    if (outcome.status === 503 && typeof code === 'string' && LEGITIMATE_503_CODES.has(code)) return undefined;
    return `server error ${outcome.status}`;
  }
  if (outcome.status >= 400 && request.method !== 'HEAD') {
    if (typeof parsed?.error?.code !== 'string' || typeof parsed.error.message !== 'string') return `${outcome.status} without the {error: {code, message}} JSON body`;
  }
  return undefined;
}

function excerpt(value: string | Buffer | undefined, limit = 300): string {
  if (value === undefined) return '(none)';
  const text = Buffer.isBuffer(value) ? `<${value.length} bytes> ${value.subarray(0, limit / 2).toString('hex')}` : value;
  return text.length > limit ? `${JSON.stringify(text.slice(0, limit))}… (${text.length} chars)` : JSON.stringify(text);
}

function report(request: FuzzRequest, outcome: Outcome, problem: string): string {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, excerpt(value, 120)]));
  return [
    `[${request.kind}] ${problem}`,
    `  ${request.method} ${excerpt(request.path, 200)}`,
    `  headers: ${JSON.stringify(headers)}`,
    `  body: ${excerpt(request.body)}`,
    `  → ${outcome.status ?? '-'} ${outcome.contentType ?? ''} ${excerpt(outcome.text)}`,
  ].join('\n');
}

/** "kind: status×count …" per request kind, for FUZZ_VERBOSE runs. */
function histogramByKind(requests: readonly FuzzRequest[], outcomes: readonly Outcome[]): string {
  const byKind = new Map<string, Map<string, number>>();
  requests.forEach((request, i) => {
    const counts = byKind.get(request.kind) ?? new Map<string, number>();
    const status = String(outcomes[i]!.status ?? 'none');
    counts.set(status, (counts.get(status) ?? 0) + 1);
    byKind.set(request.kind, counts);
  });
  return [...byKind.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, counts]) => `${kind}: ${[...counts.entries()].map(([status, count]) => `${status}×${count}`).join(' ')}`)
    .join('\n');
}

describe('API fuzzing: randomized bad requests against every endpoint', function () {
  this.timeout(120_000);
  let workers: RunningWorkers;
  let baseUrl: URL;
  const api = (method: string, path: string, json?: unknown) =>
    fetch(new URL(path, baseUrl), {
      method,
      headers: { authorization: `Bearer ${CLIENT_KEY}`, ...(json !== undefined && { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });

  before(async function () {
    this.timeout(300_000);
    const stack = await getTestStack();
    // Its own API process-equivalent: the shared one's per-client rate limit would throttle this run and
    // every test after it, and its own task queue keeps the operation mode this run pokes at to itself.
    workers = await stack.startWorkers({
      TEMPORAL_TASK_QUEUE: `fuzz-${randomUUID()}`,
      API_KEYS: CLIENT_KEY,
      ADMIN_API_KEYS: ADMIN_KEY,
      RATE_LIMIT_PER_MINUTE: '1000000',
    });
    baseUrl = new URL(workers.apiUrl);
  });
  after(async () => workers?.stop());

  it(`answers ${TOTAL_REQUESTS} bad requests without a server error, each 4xx as a JSON error, and keeps serving`, async () => {
    const created = await api('POST', '/api/documents', { content: 'Acme Corporation opens an office in Lisbon; forty engineers will be hired.' });
    assert.equal(created.status, 201);
    const context: FuzzContext = { random: new Random(SEED), documentId: ((await created.json()) as { id: string }).id, maxBytes: workers.config.api.documentMaxBytes };
    const requests = buildRequests(context, TOTAL_REQUESTS);

    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const started = Date.now();
    const outcomes = await runBounded(requests, CONCURRENCY, (request) => send(baseUrl, agent, request)).finally(() => agent.destroy());
    const elapsedMs = Date.now() - started;

    // Grouped by kind and problem, one example each: a thousand copies of one bug must not hide another.
    const failures = new Map<string, { count: number; example: string }>();
    requests.forEach((request, i) => {
      const problem = problemOf(request, outcomes[i]!);
      if (!problem) return;
      const key = `${request.kind.split(' ')[0]}: ${problem}`;
      const group = failures.get(key) ?? { count: 0, example: report(request, outcomes[i]!, problem) };
      failures.set(key, { ...group, count: group.count + 1 });
    });
    const failed = [...failures.values()].reduce((sum, { count }) => sum + count, 0);
    if (process.env.FUZZ_VERBOSE) console.log(histogramByKind(requests, outcomes));
    const statuses = outcomes.reduce<Record<string, number>>((counts, { status }) => ({ ...counts, [status ?? 'none']: (counts[status ?? 'none'] ?? 0) + 1 }), {});
    // Still serving? Asked before judging, so a failed run says this too.
    const live = await fetch(new URL('/api/health/live', baseUrl));
    const again = await api('POST', '/api/documents', { content: 'Still serving after the fuzzing.' });

    assert.ok(requests.length >= 2_000, `only ${requests.length} requests`);
    assert.equal(
      failed,
      0,
      `FUZZ_SEED=${SEED}: ${failed} of ${requests.length} responses broke the contract (statuses ${JSON.stringify(statuses)}, ${elapsedMs} ms; ` +
        `afterwards liveness ${live.status}, a valid POST /api/documents ${again.status}):\n` +
        [...failures.entries()].map(([key, { count, example }]) => `${count}× ${key}; for example:\n${example}`).join('\n'),
    );
    const paths = new Set(requests.map((request) => request.path.split('?')[0]!.replace(/^\/api\/(documents|jobs|batches)\/.+$/, '/api/$1/:id')));
    for (const endpoint of Object.keys(ALLOWED_METHODS)) assert.ok(paths.has(endpoint), `FUZZ_SEED=${SEED}: nothing sent to ${endpoint}`);
    assert.equal(live.status, 200, `FUZZ_SEED=${SEED}: not live after the fuzzing`);
    assert.equal(again.status, 201, `FUZZ_SEED=${SEED}: a valid request failed after the fuzzing`);
  });
});

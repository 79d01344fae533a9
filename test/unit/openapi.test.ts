import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import helmet from 'helmet';
import { z } from 'zod';
import { buildOpenApiDocument, openApiRouter } from '../../api/openapi';
import { clearOverrideSchema, overrideRequestSchema } from '../../api/routes/operation-mode';
import { analyzeBatchRequestSchema, analyzeRequestSchema, createDocumentSchema } from '../../api/schemas';
import { jsonPayloadsSchema } from '../../shared/adapters/payload-codec';

type Json = Record<string, any>;

const ENDPOINTS: Record<string, string[]> = {
  '/api/documents': ['post'],
  '/api/documents/{id}': ['get', 'put', 'delete'],
  '/api/analyze': ['post'],
  '/api/analyze/batch': ['post'],
  '/api/jobs': ['get'],
  '/api/jobs/{id}': ['get', 'delete'],
  '/api/jobs/{id}/events': ['get'],
  '/api/batches/{id}': ['get'],
  '/api/health': ['get'],
  '/api/health/live': ['get'],
  '/api/health/ready': ['get'],
  '/api/feature-flags': ['get'],
  '/api/operation-mode': ['get', 'put'],
  '/api/operation-mode/override': ['delete'],
  '/codec/encode': ['post'],
  '/codec/decode': ['post'],
};
const PUBLIC_PATHS = ['/api/health/live', '/api/health/ready', '/api/openapi.json'];

const document = buildOpenApiDocument({ serverUrl: 'https://analysis.example.com', codec: true }) as Json;
const operations = () =>
  Object.entries(document.paths as Json).flatMap(([path, methods]) => Object.entries(methods as Json).map(([method, op]) => ({ path, method, op: op as Json })));
const bodySchemaRef = (path: string, method: string) => document.paths[path][method].requestBody.content['application/json'].schema.$ref as string;
const component = (ref: string) => document.components.schemas[ref.replace('#/components/schemas/', '')] as Json;

/** The JSON Schema zod generates for a request schema, as the document should carry it. */
function generated(schema: z.ZodType): Json {
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });
  return rest;
}

/** Enough of JSON Schema's `oneOf`/`required`/`not` to check what the analyze schema promises. */
function matchesBranch(body: Json, branch: Json): boolean {
  const has = (keys: string[]) => keys.every((key) => key in body);
  return has(branch.required ?? []) && !(branch.not && has(branch.not.required ?? []));
}

describe('OpenAPI document', () => {
  it('is an OpenAPI 3.1 document with info, the server, bearer auth and paths', () => {
    assert.equal(document.openapi, '3.1.0');
    assert.ok(document.info.title && document.info.version);
    assert.deepEqual(document.servers, [{ url: 'https://analysis.example.com' }]);
    assert.deepEqual(document.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer' });
    assert.deepEqual(document.security, [{ bearerAuth: [] }]);
    assert.equal('servers' in buildOpenApiDocument({}), false);
  });

  it('documents every endpoint with its methods, each with responses', () => {
    for (const [path, methods] of Object.entries(ENDPOINTS)) {
      assert.ok(document.paths[path], `${path} missing`);
      for (const method of methods) {
        const op = document.paths[path][method];
        assert.ok(op, `${method.toUpperCase()} ${path} missing`);
        assert.ok(Object.keys(op.responses).length > 0, `${method.toUpperCase()} ${path} has no responses`);
      }
    }
  });

  it('documents the status codes each endpoint answers with', () => {
    const codes = (path: string, method: string) => Object.keys(document.paths[path][method].responses);
    assert.deepEqual(['201', '400', '413', '415'].filter((code) => !codes('/api/documents', 'post').includes(code)), []);
    assert.deepEqual(['200', '202', '400', '404', '413', '503'].filter((code) => !codes('/api/analyze', 'post').includes(code)), []);
    assert.deepEqual(['202', '404', '409'].filter((code) => !codes('/api/jobs/{id}', 'delete').includes(code)), []);
    assert.ok(codes('/api/documents/{id}', 'delete').includes('204'));
    assert.ok(document.paths['/api/analyze'].post.responses['503'].headers['Retry-After']);
    assert.ok(document.paths['/api/health'].get.responses['503'].content['application/health+json']);
    const waitParameter = document.paths['/api/jobs/{id}'].get.parameters.find((p: Json) => p.name === 'wait');
    assert.deepEqual({ in: waitParameter.in, minimum: waitParameter.schema.minimum, maximum: waitParameter.schema.maximum }, { in: 'query', minimum: 0, maximum: 30 });
  });

  it('documents whole-number query parameters as integers, as the routes accept them', () => {
    const parameter = (path: string, name: string) => document.paths[path].get.parameters.find((p: Json) => p.name === name);
    assert.equal(parameter('/api/jobs/{id}', 'wait').schema.type, 'integer');
    assert.equal(parameter('/api/jobs', 'pageSize').schema.type, 'integer');
  });

  it('documents 503 temporal_unavailable with Retry-After on every route that needs Temporal', () => {
    const needsTemporal: [string, string][] = [
      ['/api/analyze', 'post'], ['/api/analyze/batch', 'post'], ['/api/jobs', 'get'], ['/api/jobs/{id}', 'get'], ['/api/jobs/{id}', 'delete'],
      ['/api/jobs/{id}/events', 'get'], ['/api/batches/{id}', 'get'], ['/api/operation-mode', 'get'], ['/api/operation-mode', 'put'], ['/api/operation-mode/override', 'delete'],
    ];
    const resolve = (reply: Json): Json => (reply.$ref ? document.components.responses[reply.$ref.split('/').pop()] : reply);
    for (const [path, method] of needsTemporal) {
      const reply = resolve(document.paths[path][method].responses['503']);
      assert.match(reply.description, /temporal_unavailable/, `${method.toUpperCase()} ${path}`);
      assert.ok(reply.headers['Retry-After'], `${method.toUpperCase()} ${path}: Retry-After`);
    }
    const read = document.paths['/api/jobs/{id}'].get.responses['200'];
    assert.match(read.content['application/json'].schema.$ref, /JobRead$/);
    assert.deepEqual(component('JobRead').properties.servedFrom, { type: 'string', const: 'cache', description: component('JobRead').properties.servedFrom.description });
    assert.ok(read.headers['X-Served-From']);
  });

  it('describes the codec endpoint only where it is served (encryption on)', () => {
    const plain = buildOpenApiDocument({}) as Json;
    assert.equal(plain.paths['/codec/encode'], undefined);
    assert.equal(plain.paths['/codec/decode'], undefined);
    assert.equal(plain.tags.some((tag: Json) => tag.name === 'codec'), false);
    assert.ok(document.paths['/codec/encode'].post.responses['401']);
  });

  it('request bodies reference the schemas generated from the routes’ zod schemas', () => {
    const expected: [string, string, z.ZodType][] = [
      ['/api/documents', 'post', createDocumentSchema],
      ['/api/documents/{id}', 'put', createDocumentSchema],
      ['/api/operation-mode', 'put', overrideRequestSchema],
      ['/codec/decode', 'post', jsonPayloadsSchema],
    ];
    for (const [path, method, schema] of expected) {
      let target = component(bodySchemaRef(path, method));
      while (target.$ref) target = component(target.$ref);
      assert.deepEqual(target, generated(schema), `${method.toUpperCase()} ${path}`);
    }
    assert.deepEqual(component('ClearOverrideRequest'), generated(clearOverrideSchema));
    const analyze = component(bodySchemaRef('/api/analyze', 'post'));
    assert.deepEqual(analyze.properties, generated(analyzeRequestSchema).properties);
    // The batch's "no repeats" refinement is added by hand, as uniqueItems.
    const { documentIds, ...batchProperties } = component(bodySchemaRef('/api/analyze/batch', 'post')).properties;
    const { documentIds: generatedIds, ...generatedBatchProperties } = generated(analyzeBatchRequestSchema).properties;
    assert.deepEqual(batchProperties, generatedBatchProperties);
    assert.deepEqual(documentIds, { ...generatedIds, uniqueItems: true });
  });

  it('the analyze request rejects unknown properties and needs exactly one of documentId or content', () => {
    const schema = component(bodySchemaRef('/api/analyze', 'post'));
    assert.equal(schema.additionalProperties, false);
    assert.match(schema.description, /exactly one of `documentId`.*or `content`/);
    assert.deepEqual(schema.dependentRequired, { title: ['content'] });
    const samples: Json[] = [{ documentId: 'doc_1' }, { content: 'text' }, {}, { documentId: 'doc_1', content: 'text' }];
    for (const body of samples) {
      const documented = schema.oneOf.filter((branch: Json) => matchesBranch(body, branch)).length === 1;
      assert.equal(documented, analyzeRequestSchema.safeParse(body).success, `the document and the route disagree on ${JSON.stringify(body)}`);
    }
  });

  it('responses use the generated schemas: job view, cached result, errors', () => {
    const analyze = document.paths['/api/analyze'].post.responses;
    assert.deepEqual(analyze['200'].content['application/json'].schema.anyOf.map((schema: { $ref: string }) => schema.$ref), [
      '#/components/schemas/CachedAnalysis',
      '#/components/schemas/JobAccepted',
    ]);
    assert.deepEqual(component('CachedAnalysis').properties.result, { $ref: '#/components/schemas/AnalysisResult' });
    assert.deepEqual(component('JobView').properties.result, { $ref: '#/components/schemas/AnalysisResult' });
    assert.deepEqual(component('Error').required, ['error']);
    assert.deepEqual(component('Error').properties.error.required, ['code', 'message']);
  });

  it('requires bearer auth everywhere but the probes and the document, with 401/403/429 where they can happen', () => {
    const admin = ['PUT /api/operation-mode', 'DELETE /api/operation-mode/override'];
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      if (PUBLIC_PATHS.includes(path)) {
        assert.deepEqual(op.security, [], `${where} should be public`);
        assert.equal(op.responses['401'], undefined, `${where} cannot answer 401`);
        continue;
      }
      assert.equal(op.security, undefined, `${where} should inherit bearer auth`);
      assert.deepEqual(op.responses['401'], { $ref: '#/components/responses/Unauthorized' }, `${where} lacks 401`);
      // The codec endpoint sits in front of the rate limiter.
      if (path.startsWith('/api/')) assert.ok(op.responses['429'], `${where} lacks 429`);
      assert.equal(Boolean(op.responses['403']), admin.includes(where), `${where}: 403 only on admin routes`);
      if (admin.includes(where)) assert.match(op.description, /admin/i);
    }
  });

  it('every $ref resolves inside the document', () => {
    const refs: string[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          if (key === '$ref' && typeof child === 'string') refs.push(child);
          else walk(child);
        }
      }
    };
    walk(document);
    assert.ok(refs.length > 20);
    for (const ref of new Set(refs)) {
      const target = ref.replace(/^#\//, '').split('/').reduce<any>((node, key) => node?.[key], document);
      assert.ok(target, `${ref} does not resolve`);
    }
  });
});

describe('OpenAPI routes', () => {
  let server: Server;
  let baseUrl: string;

  before(async () => {
    const app = express();
    // As the app may run it: a strict CSP for everything, which /docs must override.
    app.use(helmet());
    app.use(openApiRouter());
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('serves the document as JSON at /api/openapi.json', async () => {
    const response = await fetch(`${baseUrl}/api/openapi.json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const served = (await response.json()) as Json;
    assert.equal(served.openapi, '3.1.0');
    assert.deepEqual(Object.keys(served.paths).sort(), Object.keys(buildOpenApiDocument({}).paths as Json).sort());
  });

  it('serves Swagger UI at /docs/ under a CSP that lets it run', async () => {
    const page = await fetch(`${baseUrl}/docs/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /swagger/i);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self' 'unsafe-inline'/);
    assert.match(csp, /style-src 'self' 'unsafe-inline'/);
    assert.match(csp, /img-src [^;]*data:/);

    const init = await fetch(`${baseUrl}/docs/swagger-ui-init.js`);
    assert.equal(init.status, 200);
    assert.match(await init.text(), /\/api\/analyze\/batch/);
    assert.equal((await fetch(`${baseUrl}/docs/swagger-ui-bundle.js`)).status, 200);
  });

  it('redirects /docs to /docs/ so the page’s relative asset links resolve', async () => {
    const response = await fetch(`${baseUrl}/docs`, { redirect: 'manual' });
    assert.equal(response.status, 301);
    assert.equal(response.headers.get('location'), '/docs/');
  });

  it('leaves other routes to the app', async () => {
    assert.equal((await fetch(`${baseUrl}/api/documents`)).status, 404);
  });
});

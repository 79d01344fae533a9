import assert from 'node:assert/strict';
import { analysisResultSchema } from '../../shared/core/analysis-result';
import { SEARCH_ATTRIBUTES } from '../../shared/core/names';
import { JobService } from '../../api/jobs';
import { request, waitFor } from '../helpers/http';
import { getTestStack, type TestStack } from '../helpers/stack';

const ARTICLE = [
  'Acme Corporation announced record profits on Tuesday in Chicago.',
  'Chief executive Maria Lopez said the results were excellent and thanked the engineering team.',
  'The company plans to open a new research centre in Berlin next year.',
  'Analysts at Goldman Sachs welcomed the news and raised their forecasts.',
  'Some investors remain worried about rising costs in the supply chain.',
].join(' ');

describe('first analysis slice: API → Temporal → worker → local analyzer', function () {
  this.timeout(120_000);
  let stack: TestStack;
  const api = (method: string, path: string, options?: Parameters<typeof request>[3]) => request(stack.apiUrl, method, path, options);

  before(async function () {
    this.timeout(300_000);
    stack = await getTestStack();
  });

  /** Each test its own text: identical text is answered from the analysis cache (tested in analysis-cache tests). */
  let serial = 0;
  const uniqueArticle = () => `${ARTICLE} Edition ${Date.now()}-${++serial}.`;

  async function createDocument(content = uniqueArticle()) {
    const created = await api('POST', '/api/documents', { json: { content, title: 'Quarterly results', metadata: { source: 'test' } } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body as { id: string; contentSha256: string };
  }

  it('stores a document and returns it by id', async () => {
    const document = await createDocument(ARTICLE);
    assert.match(document.id, /^doc_[0-9a-f]{32}$/);
    const fetched = await api('GET', `/api/documents/${document.id}`);
    assert.equal(fetched.status, 200);
    assert.equal(fetched.body.content, ARTICLE);
    assert.equal(fetched.body.title, 'Quarterly results');
    assert.deepEqual(fetched.body.metadata, { source: 'test' });
  });

  it('analyzes a document with the local analyzer and reports the job through Temporal', async () => {
    const document = await createDocument();
    const started = await api('POST', '/api/analyze', { json: { documentId: document.id } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.match(started.body.jobId, /^analysis-/);
    assert.equal(started.body.status, 'queued');
    assert.equal(started.body.links.self, `/api/jobs/${started.body.jobId}`);
    assert.ok(started.body.links.ui.includes(`/workflows/${started.body.jobId}/`), started.body.links.ui);

    const job = await waitFor(
      () => api('GET', started.body.links.self),
      (response) => response.body.status === 'completed' || response.body.status === 'failed',
    );
    assert.equal(job.status, 200);
    assert.equal(job.body.status, 'completed', JSON.stringify(job.body.error));
    assert.equal(job.body.stage, 'completed');
    const result = analysisResultSchema.parse(job.body.result);
    assert.equal(result.meta.provider, 'local');
    assert.equal(result.meta.cached, false);
    assert.ok(result.summary.length > 0);
    assert.ok(ARTICLE.includes(result.summary.split(/(?<=\.)\s/)[0]!), 'summary sentences come from the document');
    assert.deepEqual(job.body.chain.map((step: { provider: string; outcome: string }) => [step.provider, step.outcome]), [['local', 'succeeded']]);
  });

  it('records search attributes the Temporal UI can filter on', async () => {
    const document = await createDocument();
    const started = await api('POST', '/api/analyze', { json: { documentId: document.id } });
    const handle = stack.client.workflow.getHandle(started.body.jobId);
    await handle.result();
    const description = await handle.describe();
    assert.equal(description.type, 'analyzeDocument');
    assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.documentId), document.id);
    assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.jobStatus), 'completed');
    assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.provider), 'local');
    assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.analysisType), 'full');

    // What the Temporal UI's list does: a visibility query on the custom attributes.
    const listed = await waitFor(
      async () => {
        const ids: string[] = [];
        for await (const run of stack.client.workflow.list({ query: `WorkflowType = "analyzeDocument" AND DocumentId = "${document.id}" AND JobStatus = "completed"` })) {
          ids.push(run.workflowId);
        }
        return ids;
      },
      (ids) => ids.length > 0,
    );
    assert.deepEqual(listed, [started.body.jobId]);
  });

  // Patch markers and their TemporalChangeVersion upserts are for runs started before JOB_WORKFLOW_REVISION:
  // on a new job they were 4 of its history's events, each a write on the server.
  it('records a new job without patch markers or TemporalChangeVersion', async () => {
    const document = await createDocument();
    const started = await api('POST', '/api/analyze?wait=30', { json: { documentId: document.id } });
    assert.equal(started.body.status, 'completed', JSON.stringify(started.body));
    const handle = stack.client.workflow.getHandle(started.body.jobId);
    const events = (await handle.fetchHistory()).events ?? [];
    assert.ok(events.some((event) => event.activityTaskCompletedEventAttributes), 'the history is the whole run');
    assert.deepEqual(events.filter((event) => event.markerRecordedEventAttributes).map((event) => event.markerRecordedEventAttributes!.markerName), []);
    const upserted = events.flatMap((event) => Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
    assert.ok(upserted.includes(SEARCH_ATTRIBUTES.jobStatus.name), upserted.join(', '));
    assert.ok(!upserted.includes('TemporalChangeVersion'), upserted.join(', '));
    assert.equal((await handle.describe()).raw.workflowExecutionInfo?.searchAttributes?.indexedFields?.TemporalChangeVersion, undefined);
  });

  it('keeps a job queued while no worker polls its queue, and completes it once one does', async () => {
    const taskQueue = `later-${Date.now()}`;
    const jobs = new JobService(stack.client, { ...stack.config, temporal: { ...stack.config.temporal, taskQueue } });
    const document = await stack.documents.create({ content: ARTICLE });
    const job = await jobs.start({ documentId: document.id, analysisType: 'full' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal((await jobs.read(job.jobId))?.status, 'queued');

    const worker = await stack.startWorker(taskQueue);
    try {
      const done = await waitFor(() => jobs.read(job.jobId), (view) => view?.status === 'completed');
      assert.equal(done?.result?.meta.provider, 'local');
    } finally {
      await worker.stop();
    }
  });

  it('fails the job with DocumentNotFound when the document vanished before the worker ran', async () => {
    const jobs = new JobService(stack.client, stack.config);
    const job = await jobs.start({ documentId: 'doc_00000000000000000000000000000000', analysisType: 'full' });
    const done = await waitFor(() => jobs.read(job.jobId), (view) => view?.status === 'failed');
    assert.equal(done?.error?.type, 'DocumentNotFound');
    assert.equal(done?.stage, 'failed');
  });
});

describe('bad input on the first slice', function () {
  this.timeout(60_000);
  let stack: TestStack;
  const api = (method: string, path: string, options?: Parameters<typeof request>[3]) => request(stack.apiUrl, method, path, options);

  before(async function () {
    this.timeout(300_000);
    stack = await getTestStack();
  });

  const cases: [string, () => Promise<Awaited<ReturnType<typeof api>>>, number, string, string?][] = [
    ['malformed JSON', () => api('POST', '/api/documents', { raw: '{"content": ' }), 400, 'malformed_json'],
    ['missing content', () => api('POST', '/api/documents', { json: { title: 'x' } }), 400, 'invalid_request', 'content'],
    ['empty content', () => api('POST', '/api/documents', { json: { content: '' } }), 400, 'invalid_request', 'content'],
    ['content of the wrong type', () => api('POST', '/api/documents', { json: { content: 42 } }), 400, 'invalid_request', 'content'],
    ['an unknown field', () => api('POST', '/api/documents', { json: { content: 'x', colour: 'red' } }), 400, 'invalid_request'],
    ['a JSON array body', () => api('POST', '/api/documents', { json: [1, 2] }), 400, 'invalid_request'],
    ['metadata that is not an object', () => api('POST', '/api/documents', { json: { content: 'x', metadata: 'm' } }), 400, 'invalid_request', 'metadata'],
    ['a non-JSON content type', () => api('POST', '/api/documents', { raw: 'content=x', contentType: 'text/plain' }), 415, 'unsupported_media_type'],
    ['an invalid document id', () => api('GET', '/api/documents/not-an-id'), 400, 'invalid_id', 'id'],
    ['an unknown document', () => api('GET', '/api/documents/doc_0123456789abcdef0123456789abcdef'), 404, 'not_found'],
    ['analyze an unknown document', () => api('POST', '/api/analyze', { json: { documentId: 'doc_0123456789abcdef0123456789abcdef' } }), 404, 'not_found'],
    ['analyze without documentId', () => api('POST', '/api/analyze', { json: {} }), 400, 'invalid_request', 'documentId'],
    ['analyze with an unknown analysis type', () => api('POST', '/api/analyze', { json: { documentId: 'doc_x', analysisType: 'poetry' } }), 400, 'invalid_request', 'analysisType'],
    ['an invalid job id', () => api('GET', '/api/jobs/../../etc'), 404, 'route_not_found'],
    ['a malformed job id', () => api('GET', '/api/jobs/nope'), 400, 'invalid_id', 'jobId'],
    ['an unknown job', () => api('GET', '/api/jobs/analysis-00000000-0000-0000-0000-000000000000'), 404, 'not_found'],
    ['an unknown route', () => api('GET', '/api/nothing-here'), 404, 'route_not_found'],
  ];

  for (const [name, send, status, code, field] of cases) {
    it(`answers ${status} ${code} for ${name}`, async () => {
      const response = await send();
      assert.equal(response.status, status, JSON.stringify(response.body));
      assert.equal(response.body.error.code, code);
      assert.equal(typeof response.body.error.message, 'string');
      if (field) assert.equal(response.body.error.field, field);
    });
  }

  it('reports liveness without touching dependencies', async () => {
    const live = await api('GET', '/api/health/live');
    assert.equal(live.status, 200);
    assert.equal(live.body.status, 'pass');
    assert.match(live.headers.get('content-type') ?? '', /application\/health\+json/);
  });

  it('answers 413 for a document over DOCUMENT_MAX_BYTES and stays up', async () => {
    const tooBig = 'a'.repeat(stack.config.api.documentMaxBytes + 1);
    const response = await api('POST', '/api/documents', { json: { content: tooBig } });
    assert.equal(response.status, 413);
    assert.match(response.body.error.code, /too_large/);
    const body = 'b'.repeat(stack.config.api.documentMaxBytes * 2);
    const huge = await api('POST', '/api/documents', { json: { content: body } });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, 'payload_too_large');
    // One limit, one message, whichever check caught it.
    assert.equal(huge.body.error.message, `content exceeds DOCUMENT_MAX_BYTES (${stack.config.api.documentMaxBytes} bytes)`);
    assert.equal(response.body.error.message, huge.body.error.message);
    assert.equal((await api('GET', '/api/nothing-here')).status, 404, 'the process still answers');
  });
});

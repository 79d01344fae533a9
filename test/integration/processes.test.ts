import assert from 'node:assert/strict';
import { freePort } from '../helpers/ports';
import { request, waitFor } from '../helpers/http';
import { spawnEntry } from '../helpers/processes';
import { getTestStack, type TestStack } from '../helpers/stack';

describe('worker and API as separate processes', function () {
  this.timeout(120_000);
  let stack: TestStack;

  before(async function () {
    this.timeout(300_000);
    stack = await getTestStack();
  });

  it('a worker process serves jobs and drains and exits 0 on SIGTERM', async () => {
    const taskQueue = `process-worker-${Date.now()}`;
    const worker = spawnEntry('workers/main.ts', { ...stack.env, TEMPORAL_TASK_QUEUE: taskQueue });
    try {
      await waitFor(async () => worker.output(), (output) => output.includes('worker: polling'), 60_000);
      const document = await stack.documents.create({ content: 'The worker process analyzed this short text. It went well.' });
      const result = await stack.client.workflow.execute('analyzeDocument', {
        taskQueue,
        workflowId: `process-test-${Date.now()}`,
        args: [{ documentId: document.id, analysisType: 'full' }],
      });
      assert.equal((result as { meta: { provider: string } }).meta.provider, 'local');
    } finally {
      worker.child.kill('SIGTERM');
    }
    assert.equal(await worker.exited, 0, worker.output());
    assert.match(worker.output(), /worker: stopped/);
  });

  it('an API process answers on its port and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const api = spawnEntry('api/main.ts', { ...stack.env, PORT: String(port) });
    try {
      await waitFor(async () => api.output(), (output) => output.includes('listening'), 60_000);
      const created = await request(`http://127.0.0.1:${port}`, 'POST', '/api/documents', { json: { content: 'Hello from a process.' } });
      assert.equal(created.status, 201);
    } finally {
      api.child.kill('SIGTERM');
    }
    assert.equal(await api.exited, 0, api.output());
  });

  it('a process with an invalid variable exits 1 naming it', async () => {
    const api = spawnEntry('api/main.ts', { ...stack.env, PORT: 'not-a-port' });
    assert.equal(await api.exited, 1);
    assert.match(api.output(), /PORT/);
  });
});

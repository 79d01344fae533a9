/**
 * Key rotation cannot brick the service: with a key that history needs removed, reads say which key is
 * missing (503, never a 500), health names it, and workflow tasks fail with that message (never a
 * nondeterminism error) until the key is back; a decrypt-only key brings everything back without
 * sealing anything new with it.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { operationModeWorkflowId, reportHealthUpdate } from '../../shared/core/operation-mode/messages';
import { sealingKeyIdsOf } from '../../shared/adapters/payload-codec';
import { request, waitFor } from '../helpers/http';
import { startKeyedDeployment, type KeyedDeployment } from '../helpers/keyed-deployment';
import { getTestStack, type TestStack } from '../helpers/stack';

const EventType = temporal.api.enums.v1.EventType;
const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

describe('payload keys: removal names the missing key, decrypt-only keys retire one', function () {
  this.timeout(180_000);
  let stack: TestStack;
  let deployment: KeyedDeployment | undefined;
  const taskQueue = `keys-${randomUUID()}`;
  const k1 = key('k1-2026');
  const k2 = key('k2-2026');

  before(async function () {
    this.timeout(300_000);
    stack = await getTestStack();
  });
  afterEach(async () => {
    await deployment?.stop();
    deployment = undefined;
  });
  after(async () => {
    await stack.client.workflow.getHandle(operationModeWorkflowId(taskQueue)).terminate('test done').catch(() => {});
  });

  const restartWith = async (env: NodeJS.ProcessEnv) => {
    await deployment?.stop();
    deployment = await startKeyedDeployment(stack, { TEMPORAL_TASK_QUEUE: taskQueue, ...env });
    return deployment;
  };
  const api = (method: string, path: string) => request(deployment!.apiUrl, method, path);

  it('a job sealed with k1, then k1 removed: 503 naming k1, health fails naming k1, the mode workflow task fails naming k1; k1 decrypt-only: all readable, new payloads plaintext', async () => {
    await restartWith({ PAYLOAD_ENCRYPTION_KEYS: k1 });
    const created = await request(deployment!.apiUrl, 'POST', '/api/documents', { json: { content: `Sealed with k1 (${randomUUID()}). Acme opened an office in Oslo.` } });
    const started = await request(deployment!.apiUrl, 'POST', '/api/analyze', { json: { documentId: created.body.id } });
    const jobId = started.body.jobId as string;
    await waitFor(() => api('GET', `/api/jobs/${jobId}`), (response) => response.body.status === 'completed');
    assert.equal((await api('GET', '/api/operation-mode')).status, 200);

    await restartWith({});
    const read = await api('GET', `/api/jobs/${jobId}`);
    assert.equal(read.status, 503, JSON.stringify(read.body));
    assert.equal(read.body.error.code, 'encryption_key_missing');
    assert.match(read.body.error.message, /"k1-2026"/);
    const events = await api('GET', `/api/jobs/${jobId}/events`);
    assert.equal(events.status, 503, JSON.stringify(events.body));

    const health = await api('GET', '/api/health');
    const check = health.body.checks['payload-encryption:keys'][0];
    assert.equal(check.status, 'fail');
    assert.match(check.output, /"k1-2026"/);
    assert.deepEqual(check.observedValue.missing, ['k1-2026']);
    assert.notEqual(health.body.status, 'pass');

    const mode = await api('GET', '/api/operation-mode');
    assert.equal(mode.status, 503, JSON.stringify(mode.body));
    assert.equal(mode.body.error.code, 'encryption_key_missing');
    assert.match(mode.body.error.message, /"k1-2026"/);
    // A message for the entity (a health report, say) makes a workflow task: it fails naming the key,
    // never as a nondeterminism error, and the update waits rather than being lost.
    const entity = deployment!.client.workflow.getHandle(operationModeWorkflowId(taskQueue));
    const pending = deployment!.client.connection
      .withDeadline(Date.now() + 5_000, () => entity.executeUpdate(reportHealthUpdate, { args: [{ components: [{ name: 'probe', critical: false, ok: true }] }] }))
      .catch((error: Error) => error);
    const failure = await waitFor(
      async () => {
        const history = await stack.client.workflow.getHandle(operationModeWorkflowId(taskQueue)).fetchHistory();
        return (history.events ?? []).filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
      },
      (failed) => failed.length > 0,
      30_000,
    );
    const message = failure.map((event) => event.workflowTaskFailedEventAttributes?.failure?.message ?? '').join('\n');
    assert.match(message, /k1-2026/);
    assert.doesNotMatch(message, /[Nn]ondeterminism/);
    assert.ok((await pending) instanceof Error, 'the update is not accepted while the key is missing');

    await restartWith({ PAYLOAD_DECRYPT_ONLY_KEYS: k1 });
    const recovered = await api('GET', `/api/jobs/${jobId}`);
    assert.equal(recovered.status, 200);
    assert.equal(recovered.body.status, 'completed');
    assert.ok(recovered.body.result.summary);
    const mode2 = await waitFor(() => api('GET', '/api/operation-mode'), (response) => response.status === 200, 30_000);
    assert.equal(mode2.body.mode, 'NORMAL');
    const healthy = await api('GET', '/api/health');
    assert.equal(healthy.body.checks['payload-encryption:keys'][0].status, 'pass');
    assert.deepEqual(healthy.body.checks['payload-encryption:keys'][0].observedValue, { encryptsWith: null, decrypts: ['k1-2026'], missing: [] });

    // Nothing new is sealed with a decrypt-only key.
    const fresh = await request(deployment!.apiUrl, 'POST', '/api/analyze', { json: { content: `After retirement (${randomUUID()}). Plain text now.` } });
    await waitFor(() => api('GET', `/api/jobs/${fresh.body.jobId}`), (response) => response.body.status === 'completed');
    const freshHistory = await stack.client.workflow.getHandle(fresh.body.jobId).fetchHistory();
    const input = freshHistory.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
    assert.deepEqual(sealingKeyIdsOf(input as never), []);
  });

  it('rotation: k2 encrypts, k1 decrypt-only; old jobs stay readable and new payloads name k2', async () => {
    await restartWith({ PAYLOAD_ENCRYPTION_KEYS: k1 });
    const old = await request(deployment!.apiUrl, 'POST', '/api/analyze', { json: { content: `Old under k1 (${randomUUID()}).` } });
    await waitFor(() => api('GET', `/api/jobs/${old.body.jobId}`), (response) => response.body.status === 'completed');

    await restartWith({ PAYLOAD_ENCRYPTION_KEYS: k2, PAYLOAD_DECRYPT_ONLY_KEYS: k1 });
    assert.equal((await api('GET', `/api/jobs/${old.body.jobId}`)).body.status, 'completed');
    const fresh = await request(deployment!.apiUrl, 'POST', '/api/analyze', { json: { content: `New under k2 (${randomUUID()}).` } });
    await waitFor(() => api('GET', `/api/jobs/${fresh.body.jobId}`), (response) => response.body.status === 'completed');
    const history = await stack.client.workflow.getHandle(fresh.body.jobId).fetchHistory();
    assert.deepEqual(sealingKeyIdsOf(history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads! as never), ['k2-2026']);
  });
});

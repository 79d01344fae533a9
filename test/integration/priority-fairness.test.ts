import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import type { RequestRecord } from '../emulator/provider-emulator';
import { request, waitFor } from '../helpers/http';
import { useProviderHarness } from '../helpers/provider-workers';
import { planProviderChain } from '../../shared/core/providers/plan';
import { PRIORITY_KEYS } from '../../shared/core/scheduling/task-priority';

const FLOODER_KEY = 'flooder-client-key';
const OTHER_KEY = 'other-client-key';
const FLOOD = 200;
/** Provider activity slots of the one worker: held busy by the emulator while the queue builds up behind them. */
const SLOTS = 2;

const contentOf = (tag: string) => `[${tag}] Acme Corporation opens a regional office in Lisbon and hires forty engineers.`;
const tagOf = (record: RequestRecord) => /\[([a-z]+-\d+)\]/.exec(JSON.stringify(record.body))?.[1] ?? 'unknown';

describe('priority and per-client fairness (Temporal task priority on the embedded server)', function () {
  this.timeout(240_000);
  const harness = useProviderHarness();

  it('runs another client’s urgent jobs before a 200-job background flood, and its background jobs beside the flood, not behind it', async () => {
    const running = await harness.start({
      LLM_PROVIDERS: 'anthropic,local',
      API_KEYS: `${FLOODER_KEY},${OTHER_KEY}`,
      RATE_LIMIT_PER_MINUTE: '100000',
      ANTHROPIC_RATE_LIMIT: '1000000',
      ANTHROPIC_MAX_CONCURRENCY: String(SLOTS),
      ANTHROPIC_TIMEOUT_SECONDS: '120',
    });
    const provider = harness.emulator.provider('anthropic').setDefault({ kind: 'ok', delayMs: 20 }).hold();
    const providerQueue = planProviderChain(running.config).find((step) => step.provider === 'anthropic')!.taskQueue;
    const backlogByPriority = async () => {
      const { statsByPriorityKey } = await harness.stack.client.workflowService.describeTaskQueue({
        namespace: running.config.temporal.namespace,
        taskQueue: { name: providerQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        reportStats: true,
      });
      const count = (key: number) => Number(statsByPriorityKey?.[key]?.approximateBacklogCount ?? 0);
      return { urgent: count(PRIORITY_KEYS.urgent), background: count(PRIORITY_KEYS.background) };
    };
    const analyze = async (key: string, tag: string, priority: string) => {
      const answer = await request(running.apiUrl, 'POST', '/api/analyze', {
        json: { content: contentOf(tag), priority },
        headers: { authorization: `Bearer ${key}` },
      });
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      return answer.body.jobId as string;
    };

    // The flood takes both slots (held) and the rest waits in the provider queue.
    for (let i = 0; i < FLOOD; i += 20) await Promise.all(Array.from({ length: 20 }, (_, j) => analyze(FLOODER_KEY, `flood-${i + j}`, 'background')));
    await provider.waitForRequests(SLOTS, 30_000);
    await waitFor(backlogByPriority, (backlog) => backlog.background === FLOOD - SLOTS, 60_000);

    const urgent = await Promise.all([0, 1, 2, 3, 4].map((i) => analyze(OTHER_KEY, `urgent-${i}`, 'urgent')));
    const background = await Promise.all([0, 1, 2, 3, 4].map((i) => analyze(OTHER_KEY, `other-${i}`, 'background')));
    await waitFor(backlogByPriority, (backlog) => backlog.urgent === 5 && backlog.background === FLOOD - SLOTS + 5, 60_000);
    provider.release();
    await provider.waitForRequests(FLOOD + 10, 180_000);

    const order = provider.requestLog.map(tagOf);
    const position = (tag: string) => order.indexOf(tag);
    const floodBefore = (at: number) => order.slice(SLOTS, at).filter((tag) => tag.startsWith('flood-')).length;
    const lastUrgent = Math.max(...urgent.map((_, i) => position(`urgent-${i}`)));
    const lastOtherBackground = Math.max(...background.map((_, i) => position(`other-${i}`)));
    // FIFO would send all 198 queued flood jobs first; priority sends the urgent ones as slots free (the server
    // promises "close to priority order": a task already on its way to a poller may still go first).
    assert.ok(floodBefore(lastUrgent) <= SLOTS, `order after the held slots: ${order.slice(SLOTS, 20).join(' ')}`);
    // Same priority as the flood but another fairness key: dispatch alternates between the two clients
    // (one client, one share), so the five come among the first dozen or so, not after 198.
    assert.ok(floodBefore(lastOtherBackground) <= 10, `order after the urgent jobs: ${order.slice(SLOTS + 5, 30).join(' ')}`);

    for (const jobId of [...urgent, ...background]) {
      const job = await waitFor(
        async () => (await request(running.apiUrl, 'GET', `/api/jobs/${jobId}?wait=20`, { headers: { authorization: `Bearer ${OTHER_KEY}` } })).body,
        (body) => body.status === 'completed' || body.status === 'failed',
        60_000,
      );
      assert.equal(job.status, 'completed');
      assert.equal(job.result.meta.provider, 'anthropic');
    }
  });

  it('rejects an unknown priority with a 400 naming the field', async () => {
    const answer = await request(harness.stack.apiUrl, 'POST', '/api/analyze', { json: { content: 'Some text.', priority: 'asap' } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.field, 'priority');
    const batch = await request(harness.stack.apiUrl, 'POST', '/api/analyze/batch', { json: { documentIds: ['doc_x'], priority: 1 } });
    assert.equal(batch.status, 400);
  });
});

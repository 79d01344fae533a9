/** One operation of each path the comparison times, each returning the workflow id it ran (if any). */
import { randomUUID } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import type { Client } from '@temporalio/client';
import { FLOOR_MODEL } from '../floor/activities';
import { FLOOR_TASK_QUEUE } from './stack';

export type PathName = 'direct SDK call' | 'Temporal floor' | 'project job (API)';
export type RunOnce = () => Promise<string | undefined>;

const TEXT =
  'Acme Corporation reported strong quarterly growth in Chicago on Tuesday. Chief executive Maria Lopez praised the ' +
  'engineering team, while analysts at Goldman Sachs warned about rising supply costs. ';

export function directSdkCall(anthropicBaseUrl: string): RunOnce {
  const sdk = new Anthropic({ apiKey: 'sk-ant-bench', baseURL: anthropicBaseUrl, maxRetries: 0 });
  return async () => {
    await sdk.messages.create({ model: FLOOR_MODEL, max_tokens: 1024, messages: [{ role: 'user', content: TEXT }] });
    return undefined;
  };
}

/** One workflow with one activity making the SDK call, started and awaited by a client. */
export function temporalFloor(client: Client): RunOnce {
  return async () => {
    const workflowId = `floor-${randomUUID()}`;
    await client.workflow.execute('floorWorkflow', { taskQueue: FLOOR_TASK_QUEUE, workflowId, args: [TEXT] });
    return workflowId;
  };
}

/** The floor with its call as a local activity, on the same worker: the engine's cost of that shape. */
export function temporalFloorLocalActivity(client: Client): RunOnce {
  return async () => {
    const workflowId = `floor-la-${randomUUID()}`;
    await client.workflow.execute('floorLocalActivityWorkflow', { taskQueue: FLOOR_TASK_QUEUE, workflowId, args: [TEXT] });
    return workflowId;
  };
}

/** POST /api/analyze with a fresh document (no cache hit), then long-polls with ?since= until it completes. */
export function projectJob(apiUrl: string): RunOnce {
  return async () => {
    const started = await postJson(`${apiUrl}/api/analyze`, { content: `${TEXT} Edition ${randomUUID()}.` });
    if (started.status !== 202) throw new Error(`POST /api/analyze answered ${started.status}`);
    let job = started.body as { jobId: string; status: string; version: string; error?: unknown };
    while (job.status !== 'completed') {
      if (job.status === 'failed' || job.status === 'cancelled') throw new Error(`job ${job.status}: ${JSON.stringify(job.error)}`);
      const response = await fetch(`${apiUrl}/api/jobs/${job.jobId}?wait=30&since=${job.version}`);
      if (!response.ok) throw new Error(`GET job answered ${response.status}`);
      job = (await response.json()) as typeof job;
    }
    return job.jobId;
  };
}

/**
 * POST /api/analyze with a fresh document, then its event stream (GET /api/jobs/:id/events, as the CLI's
 * live progress reads it) until the final event.
 */
export function projectJobFollowingEvents(apiUrl: string): RunOnce {
  return async () => {
    const started = await postJson(`${apiUrl}/api/analyze`, { content: `${TEXT} Edition ${randomUUID()}.` });
    if (started.status !== 202) throw new Error(`POST /api/analyze answered ${started.status}`);
    const { jobId } = started.body as { jobId: string };
    const response = await fetch(`${apiUrl}/api/jobs/${jobId}/events`);
    if (!response.ok || !response.body) throw new Error(`GET events answered ${response.status}`);
    // Read to the end (the API ends the stream after the final event), so the connection is reused.
    const decoder = new TextDecoder();
    let stream = '';
    for await (const chunk of response.body) stream += decoder.decode(chunk as Uint8Array, { stream: true });
    const final = /^event: (completed|failed|cancelled|interrupted)$/m.exec(stream)?.[1];
    if (final !== 'completed') throw new Error(`the event stream ended with ${final ?? 'no final event'}`);
    return jobId;
  };
}

/** POST /api/analyze with a fresh document, then one GET that holds until the job has finished. */
export function projectJobUntilFinished(apiUrl: string): RunOnce {
  return async () => {
    const started = await postJson(`${apiUrl}/api/analyze`, { content: `${TEXT} Edition ${randomUUID()}.` });
    if (started.status !== 202) throw new Error(`POST /api/analyze answered ${started.status}`);
    let job = started.body as { jobId: string; status: string; error?: unknown };
    while (job.status === 'queued' || job.status === 'running') {
      const response = await fetch(`${apiUrl}/api/jobs/${job.jobId}?wait=30&until=finished`);
      if (!response.ok) throw new Error(`GET job answered ${response.status}`);
      job = (await response.json()) as typeof job;
    }
    if (job.status !== 'completed') throw new Error(`job ${job.status}: ${JSON.stringify(job.error)}`);
    return job.jobId;
  };
}

/** POST /api/analyze?wait=30 with a fresh document: the finished job in the same answer. */
export function projectJobInOneRequest(apiUrl: string): RunOnce {
  return async () => {
    const answered = await postJson(`${apiUrl}/api/analyze?wait=30`, { content: `${TEXT} Edition ${randomUUID()}.` });
    const job = answered.body as { jobId: string; status: string; error?: unknown };
    if (answered.status !== 200 || job.status !== 'completed') throw new Error(`POST /api/analyze?wait=30 answered ${answered.status}: ${JSON.stringify(job)}`);
    return job.jobId;
  };
}

export async function postJson(url: string, json: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
  return { status: response.status, body: await response.json() };
}

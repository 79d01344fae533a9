/**
 * What a job's event stream sends when the job moves from one view to the next (pure; the route
 * writes these as server-sent events). Every event's id is the job version it brings the client to,
 * so `Last-Event-ID` resumes exactly where the client was.
 */
import type { JobView } from './job-view';

/** `interrupted`: the stream could not read the job and ends; the client reconnects with Last-Event-ID. */
export type JobEventName = 'snapshot' | 'stage' | 'attempt' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface JobEvent {
  event: JobEventName;
  id: string;
  data: unknown;
}

const FINAL_EVENTS = new Set<JobEventName>(['completed', 'failed', 'cancelled']);
export const isFinalEvent = (event: JobEvent) => FINAL_EVENTS.has(event.event);

const stageOf = (view: JobView) => ({ status: view.status, stage: view.stage, ...(view.provider && { provider: view.provider }) });

/**
 * `previous` undefined: the client knows nothing of this job yet (a new stream, or a resume from a
 * version that is no longer current), so it gets the whole view first. A closed job always ends with
 * its final event, even for a client that had seen that version, so a reconnecting client can stop.
 */
export function jobEventsBetween(previous: JobView | undefined, next: JobView): JobEvent[] {
  const id = next.version;
  const events: JobEvent[] = [];
  const closed = FINAL_EVENTS.has(next.status as JobEventName);
  if (!previous) {
    if (!closed) events.push({ event: 'snapshot', id, data: next });
  } else if (previous.version !== next.version) {
    for (const step of next.chain.slice(previous.chain.length)) events.push({ event: 'attempt', id, data: step });
    const current = next.currentAttempt;
    if (current && (current.attempt !== previous.currentAttempt?.attempt || current.provider !== previous.currentAttempt?.provider)) {
      events.push({ event: 'attempt', id, data: { ...current, outcome: 'running' } });
    }
    if (!closed && (previous.status !== next.status || previous.stage !== next.stage || previous.provider !== next.provider)) {
      events.push({ event: 'stage', id, data: stageOf(next) });
    }
  }
  if (closed) events.push({ event: next.status as JobEventName, id, data: next });
  return events;
}

/** One event in the `text/event-stream` format. */
export function formatServerSentEvent({ event, id, data }: JobEvent): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

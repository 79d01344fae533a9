import type { Request, Response } from 'express';
import type { TemporalGuard } from '../../shared/adapters/temporal/temporal-guard';
import { notFound } from '../errors';
import { formatServerSentEvent, isFinalEvent, jobEventsBetween } from '../job-events';
import { JOB_ID_PATTERN, type JobService } from '../jobs';
import type { JobView } from '../job-view';
import { parseParam } from '../validation';

/** Long enough to span most jobs in one wait, short enough that proxies see traffic (a comment) between. */
const WAIT_PER_ROUND_MS = 15_000;
/** How long a client's EventSource waits before reconnecting after the stream ends or breaks. */
const RECONNECT_MS = 1_000;

/**
 * `GET /api/jobs/:jobId/events`: server-sent events for one job until it closes. Each round holds one
 * event-driven wait (JobService.readWhenChanged), so a watching client costs nothing while the job is quiet.
 */
export function jobEventsHandler(jobs: JobService, temporal: TemporalGuard) {
  return async (req: Request, res: Response) => {
    const jobId = parseParam(JOB_ID_PATTERN, req.params.jobId as string, 'jobId');
    const stopped = new AbortController();
    const views = jobs.follow(jobId, WAIT_PER_ROUND_MS, stopped.signal);
    // Only the first read is guarded: it decides between 503 and a stream; the stream's waits are long by design.
    const first = await temporal.run(() => views.next());
    if (first.done) throw notFound('job', jobId);

    res.on('close', () => stopped.abort());
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${RECONNECT_MS}\n\n`);

    const resumedFrom = req.get('last-event-id');
    let seen: JobView | undefined = resumedFrom === first.value.version ? first.value : undefined;
    let view: JobView = first.value;
    try {
      for (;;) {
        const events = jobEventsBetween(seen, view);
        for (const event of events) res.write(formatServerSentEvent(event));
        if (events.some(isFinalEvent)) break;
        if (seen?.version === view.version) res.write(': waiting\n\n');
        seen = view;
        const next = await views.next();
        if (next.done) break;
        view = next.value;
      }
    } catch {
      // Headers are out: the stream can only say so and end; the client reconnects and resumes.
      const message = 'the job could not be read just now; reconnect with Last-Event-ID to resume';
      res.write(formatServerSentEvent({ event: 'interrupted', id: seen?.version ?? '', data: { error: { code: 'stream_interrupted', message } } }));
    }
    stopped.abort();
    res.end();
  };
}

/**
 * Waits for a job to change without polling: one `waitForJobChange` update per (run, progress version)
 * in flight per process, shared by every request waiting on it. The update is never abandoned: it
 * settles at the job's next change or close, so a workflow never holds more than one from this process.
 */
import type { Client } from '@temporalio/client';
import type { JobSnapshot } from '../shared/job-types';
import { waitForJobChangeUpdate } from '../shared/names';

export class JobWatcher {
  private readonly inFlight = new Map<string, Promise<JobSnapshot | undefined>>();

  constructor(private readonly client: Client) {}

  /** The job's snapshot once its progress version differs from `sinceVersion`; undefined if the wait failed. */
  changeAfter(jobId: string, runId: string, sinceVersion: number): Promise<JobSnapshot | undefined> {
    const key = `${jobId}/${runId}/${sinceVersion}`;
    let waiting = this.inFlight.get(key);
    if (!waiting) {
      waiting = this.client.workflow
        .getHandle(jobId, runId)
        .executeUpdate(waitForJobChangeUpdate, { args: [{ sinceVersion }] })
        // The run closed, was cancelled or cannot be reached: the caller re-reads the job instead.
        .catch(() => undefined)
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, waiting);
    }
    return waiting;
  }

  /** Resolves when the run has closed (one long-poll on its close event), whatever the outcome. */
  closeOf(jobId: string, runId: string): Promise<void> {
    const key = `${jobId}/${runId}/close`;
    let waiting = this.inFlight.get(key);
    if (!waiting) {
      waiting = this.client.workflow
        .getHandle(jobId, runId)
        .result()
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, waiting);
    }
    return waiting.then(() => undefined);
  }

  get waiting(): number {
    return this.inFlight.size;
  }
}

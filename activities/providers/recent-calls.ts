/**
 * This worker's last calls to one provider, for `firstAttemptFitsInWorkflowTask`: the last
 * FIRST_ATTEMPT_FIT_SAMPLES finished calls and the ones in flight. Per process, as the bulkhead is.
 */
import { FIRST_ATTEMPT_FIT_SAMPLES, type RecentCalls } from '../../shared/core/providers/first-attempt-fit';

export class RecentCallLog {
  private readonly finished: Array<{ endedAtMs: number; durationMs: number }> = [];
  private readonly inFlight = new Map<symbol, number>();

  /** Marks a call sent now; the returned function marks it ended (any outcome) and is idempotent. */
  sent(nowMs = Date.now()): (endedAtMs?: number) => void {
    const id = Symbol('call');
    this.inFlight.set(id, nowMs);
    return (endedAtMs = Date.now()) => {
      if (!this.inFlight.delete(id)) return;
      this.finished.push({ endedAtMs, durationMs: endedAtMs - nowMs });
      if (this.finished.length > FIRST_ATTEMPT_FIT_SAMPLES) this.finished.shift();
    };
  }

  snapshot(): RecentCalls {
    return { finished: [...this.finished], inFlightSinceMs: [...this.inFlight.values()] };
  }
}

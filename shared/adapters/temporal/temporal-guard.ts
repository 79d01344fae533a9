/**
 * Fail fast and honestly while Temporal is away. Each guarded call gets a deadline; a connection
 * failure opens a breaker (the providers' circuit-breaker policy with threshold 1), after which every
 * request is told at once that Temporal is away, except one probe at a time, at most one a second.
 * The probe's success closes it again, so the first requests after a restart are served.
 */
import type { Connection } from '@temporalio/client';
import { decideAdmission, initialBreakerState, recordFailure, recordSuccess, releaseProbe, type BreakerState } from '../../core/resilience/circuit-breaker';
import { classifyTemporalError, TemporalUnavailableError } from './temporal-unavailable';

export interface TemporalGuardOptions {
  /** Shown in the error, so an operator knows which server to look at. */
  address: string;
  /** Longest a guarded call waits for Temporal, beyond a long poll's own wait. */
  timeoutMs: number;
  retryAfterSeconds: number;
  /** Least time between two probes while the breaker is open. */
  probeIntervalMs?: number;
  now?: () => number;
}

export class TemporalGuard {
  private breaker: BreakerState = initialBreakerState();
  private readonly now: () => number;

  constructor(
    private readonly connection: Pick<Connection, 'withDeadline'>,
    private readonly options: TemporalGuardOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** False from a connection failure until a call gets through again. */
  get reachable(): boolean {
    return this.breaker.state === 'closed';
  }

  /**
   * Runs `call` (Temporal client calls) with a deadline of `timeoutMs`, plus `waitMs` for a long poll;
   * throws TemporalUnavailableError when Temporal is away or too slow, any other error as it was.
   */
  async run<T>(call: () => Promise<T>, { waitMs = 0 }: { waitMs?: number } = {}): Promise<T> {
    const { timeoutMs, address, retryAfterSeconds } = this.options;
    const started = this.now();
    const limitMs = timeoutMs + waitMs;
    const admission = decideAdmission(this.breaker, started, { recoveryTimeMs: this.options.probeIntervalMs ?? 1_000, probeTimeoutMs: limitMs + 1_000 });
    this.breaker = admission.next;
    if (!admission.admit) throw new TemporalUnavailableError(address, 'failing-fast', retryAfterSeconds, timeoutMs);
    try {
      const result = await this.connection.withDeadline(started + limitMs, call);
      this.breaker = recordSuccess(this.breaker, this.now());
      return result;
    } catch (error) {
      const kind = classifyTemporalError(error);
      // Only a failed connection opens the breaker: a slow answer is this request's problem, not proof the server is gone.
      if (kind === 'unreachable') this.breaker = recordFailure(this.breaker, this.now(), { threshold: 1 });
      else if (kind === 'answered') this.breaker = recordSuccess(this.breaker, this.now());
      else this.breaker = releaseProbe(this.breaker);
      if (kind === 'unreachable' || kind === 'timeout') throw new TemporalUnavailableError(address, kind, retryAfterSeconds, timeoutMs, { cause: error });
      throw error;
    }
  }
}

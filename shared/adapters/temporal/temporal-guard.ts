/**
 * Fail fast and honestly while Temporal is away. Each guarded call gets a deadline; a connection
 * failure opens a breaker (the providers' circuit-breaker policy with threshold 1). While it is open,
 * requests are answered at once, except that at most once a `probeIntervalMs` a cheap probe asks the
 * server whether it is back; requests arriving meanwhile wait for that answer (a few milliseconds either
 * way) instead of failing, so a burst right after a restart is served, not turned away.
 */
import type { Connection } from '@temporalio/client';
import { decideAdmission, initialBreakerState, recordFailure, recordSuccess, type BreakerState } from '../../core/resilience/circuit-breaker';
import { classifyTemporalError, TemporalUnavailableError, type TemporalUnreachableReason } from './temporal-unavailable';

export interface TemporalGuardOptions {
  /** Shown in the error, so an operator knows which server to look at. */
  address: string;
  /** Longest a guarded call waits for Temporal, beyond a long poll's own wait. */
  timeoutMs: number;
  retryAfterSeconds: number;
  /** A cheap call that succeeds when the server serves again (getSystemInfo). */
  probe: () => Promise<unknown>;
  /** Longest the probe may take. */
  probeTimeoutMs?: number;
  /** Least time between two probes while the breaker is open. */
  probeIntervalMs?: number;
  now?: () => number;
}

export class TemporalGuard {
  private breaker: BreakerState = initialBreakerState();
  private probing?: Promise<boolean>;
  private readonly now: () => number;

  constructor(
    private readonly connection: Pick<Connection, 'withDeadline'>,
    private readonly options: TemporalGuardOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** False from a connection failure until Temporal answers again. */
  get reachable(): boolean {
    return this.breaker.state === 'closed';
  }

  /**
   * Runs `call` (Temporal client calls) with a deadline of `timeoutMs`, plus `waitMs` for a long poll;
   * throws TemporalUnavailableError when Temporal is away or too slow, any other error as it was.
   */
  async run<T>(call: () => Promise<T>, { waitMs = 0 }: { waitMs?: number } = {}): Promise<T> {
    if (!(await this.admit())) throw this.unavailable('failing-fast');
    const started = this.now();
    try {
      const result = await this.connection.withDeadline(started + this.options.timeoutMs + waitMs, call);
      this.breaker = recordSuccess(this.breaker, this.now());
      return result;
    } catch (error) {
      const kind = classifyTemporalError(error);
      // Only a failed connection opens the breaker: a slow or refused call is this request's problem, not proof the server is gone.
      if (kind === 'unreachable') this.breaker = recordFailure(this.breaker, this.now(), { threshold: 1 });
      else if (kind === 'answered') this.breaker = recordSuccess(this.breaker, this.now());
      if (kind === 'answered' || kind === 'other') throw error;
      throw this.unavailable(kind, error);
    }
  }

  /** Whether a request may call Temporal now; while the breaker is open, the answer of a probe. */
  private async admit(): Promise<boolean> {
    const probeTimeoutMs = this.options.probeTimeoutMs ?? 500;
    const admission = decideAdmission(this.breaker, this.now(), { recoveryTimeMs: this.options.probeIntervalMs ?? 1_000, probeTimeoutMs: probeTimeoutMs + 1_000 });
    this.breaker = admission.next;
    if (admission.admit && this.breaker.state === 'half-open') this.probing = this.probe(probeTimeoutMs).finally(() => (this.probing = undefined));
    if (this.probing) return this.probing;
    return admission.admit;
  }

  private async probe(timeoutMs: number): Promise<boolean> {
    try {
      await this.connection.withDeadline(this.now() + timeoutMs, this.options.probe);
    } catch (error) {
      if (classifyTemporalError(error) !== 'answered') {
        this.breaker = recordFailure(this.breaker, this.now(), { threshold: 1 });
        return false;
      }
    }
    this.breaker = recordSuccess(this.breaker, this.now());
    return true;
  }

  private unavailable(reason: TemporalUnreachableReason | 'failing-fast', cause?: unknown): TemporalUnavailableError {
    const { address, retryAfterSeconds, timeoutMs } = this.options;
    return new TemporalUnavailableError(address, reason, retryAfterSeconds, timeoutMs, cause === undefined ? undefined : { cause });
  }
}

/**
 * Provider attempts, latency and tokens, recorded through the activity's metric meter: they land on the
 * worker's Prometheus endpoint next to the SDK's own metrics, tagged by the SDK with activityType,
 * namespace and taskQueue. Labels stay bounded: provider, model, outcome (success or a failure type),
 * token_type; never a job or document id.
 */
import type { MetricMeter } from '@temporalio/common';

export const PROVIDER_METRICS = {
  /** Created without the suffix: the exporter appends `_total` to every counter. */
  attempts: 'llm_analysis_provider_attempts',
  tokens: 'llm_analysis_provider_tokens',
  duration: 'llm_analysis_provider_request_duration_seconds',
} as const;

/** Seconds; a provider answers in 0.5–30 s, and the timeout caps an attempt. */
export const PROVIDER_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

export interface ProviderAttemptRecord {
  provider: string;
  model: string;
  /** 'success' or the attempt's failure type (ServerError, RateLimited, CircuitOpen, …). */
  outcome: string;
  /** Only for attempts that sent a request. */
  durationSeconds?: number;
  inputTokens?: number;
  outputTokens?: number;
}

export function recordProviderAttempt(meter: MetricMeter, record: ProviderAttemptRecord): void {
  const tags = { provider: record.provider, model: record.model };
  meter.createCounter(PROVIDER_METRICS.attempts, '', 'Provider call attempts by outcome').add(1, { ...tags, outcome: record.outcome });
  if (record.durationSeconds !== undefined) {
    meter
      .createHistogram(PROVIDER_METRICS.duration, 'float', '', 'Provider request duration, all requests of one attempt')
      .record(record.durationSeconds, { ...tags, outcome: record.outcome });
  }
  const tokens = meter.createCounter(PROVIDER_METRICS.tokens, '', 'Tokens used by provider requests');
  if (record.inputTokens) tokens.add(record.inputTokens, { ...tags, token_type: 'input' });
  if (record.outputTokens) tokens.add(record.outputTokens, { ...tags, token_type: 'output' });
}

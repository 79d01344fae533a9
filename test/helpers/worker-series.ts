/**
 * Series a worker's metrics endpoint exports after a job with a failed and a successful provider
 * attempt plus a failed job: the ones the dashboards in deploy/grafana/dashboards may read. The
 * observability integration test proves each against a real scrape; the dashboard test checks every
 * panel query against this list and the API's prom-client registry.
 */
export const WORKER_SERIES = [
  // Ours: from the provider activity's metric meter, and the worker's cache and circuit view.
  'llm_analysis_cache_lookups_total',
  'llm_analysis_cache_tier_lookups_total',
  'llm_analysis_provider_circuit_state',
  'llm_analysis_provider_attempts_total',
  'llm_analysis_provider_tokens_total',
  'llm_analysis_provider_request_duration_seconds_bucket',
  'llm_analysis_provider_request_duration_seconds_count',
  'llm_analysis_provider_request_duration_seconds_sum',
  // The Temporal SDK's (Core runtime).
  'temporal_workflow_completed_total',
  'temporal_workflow_failed_total',
  'temporal_workflow_endtoend_latency_seconds_bucket',
  'temporal_workflow_endtoend_latency_seconds_count',
  'temporal_workflow_task_execution_latency_seconds_bucket',
  'temporal_workflow_task_schedule_to_start_latency_seconds_bucket',
  'temporal_workflow_task_replay_latency_seconds_bucket',
  'temporal_activity_execution_latency_seconds_bucket',
  'temporal_activity_execution_failed_total',
  'temporal_activity_succeed_endtoend_latency_seconds_bucket',
  'temporal_local_activity_execution_latency_seconds_bucket',
  'temporal_activity_schedule_to_start_latency_seconds_bucket',
  'temporal_activity_task_received_total',
  'temporal_worker_task_slots_available',
  'temporal_worker_task_slots_used',
  'temporal_num_pollers',
  'temporal_sticky_cache_size',
  'temporal_sticky_cache_hit_total',
  'temporal_request_total',
  'temporal_request_latency_seconds_bucket',
  'temporal_long_request_total',
  'temporal_workflow_task_queue_poll_succeed_total',
] as const;

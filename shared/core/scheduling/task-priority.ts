/**
 * A request's `priority` and its client as Temporal task priority: the priority key orders a backlogged
 * task queue (lower first), the fairness key shares dispatch between clients in proportion to their
 * weights, so one client's burst cannot starve the others. Pure and bundle-safe.
 */
import type { Priority } from '@temporalio/common';

export const JOB_PRIORITIES = ['urgent', 'normal', 'background'] as const;
export type JobPriority = (typeof JOB_PRIORITIES)[number];
export const DEFAULT_JOB_PRIORITY: JobPriority = 'normal';

/**
 * The server's default range is 1..5 (`matching.priorityLevels`) with 3 as the default; `normal` is
 * that default, so work started without a priority (schedules, health checks) ranks with it.
 */
export const PRIORITY_KEYS: Record<JobPriority, number> = { urgent: 1, normal: 3, background: 5 };

/** The server refuses fairness keys longer than this. */
export const MAX_FAIRNESS_KEY_BYTES = 64;

/**
 * @param clientId the caller's non-secret id (`key:1a2b3c4d`, a digest prefix of its API key; `local`
 *   on an open API): never the key itself, since priorities are stored in history and visibility.
 */
export function taskPriorityOf(priority: JobPriority, clientId: string, fairnessWeight = 1): Priority {
  return { priorityKey: PRIORITY_KEYS[priority], fairnessKey: fairnessKeyOf(clientId), fairnessWeight };
}

export function fairnessKeyOf(clientId: string): string {
  let key = clientId;
  // Trim by characters until the UTF-8 length fits (ids are ASCII in practice; this keeps any id valid).
  while (new TextEncoder().encode(key).length > MAX_FAIRNESS_KEY_BYTES) key = key.slice(0, -1);
  return key || 'anonymous';
}

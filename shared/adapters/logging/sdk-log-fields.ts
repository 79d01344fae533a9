/**
 * The Temporal SDK's log metadata turned into this service's log fields: `runId` for both the
 * workflow's and the activity's spelling, `jobId` / `batchId` (a job's id is its workflow id), and
 * the fields that are noise in a log line dropped.
 */
import type { LogMetadata } from '@temporalio/common';
import { WORKFLOW_TYPES } from '../../core/names';

/** The task token is an opaque blob the SDK adds to every activity line; it helps no reader. */
const DROPPED = new Set(['taskToken', 'workflowRunId']);

export function logFieldsOf(meta: LogMetadata | undefined): Record<string, unknown> {
  if (!meta) return {};
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) {
    if (!DROPPED.has(key) && value !== undefined) fields[key] = value;
  }
  if (meta.workflowRunId !== undefined && fields.runId === undefined) fields.runId = meta.workflowRunId;
  if (meta.workflowType === WORKFLOW_TYPES.analyzeDocument) fields.jobId = meta.workflowId;
  if (meta.workflowType === WORKFLOW_TYPES.analyzeBatch) fields.batchId = meta.workflowId;
  return fields;
}

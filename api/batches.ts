import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Priority } from '@temporalio/common';
import type { AppConfig } from '../shared/config';
import type { AnalyzeBatchInput, BatchProgress } from '../shared/core/job-types';
import { BATCH_ID_PREFIX, batchProgressQuery, WORKFLOW_TYPES } from '../shared/core/names';
import { planProviderChain } from '../shared/core/providers/plan';
import { deferredScheduleOf } from '../shared/core/providers/batch-route';
import { temporalUiRunUrl } from '../shared/adapters/temporal-client';
import type { analyzeBatch } from '../workflows';

export const BATCH_ID_PATTERN = new RegExp(`^${BATCH_ID_PREFIX}[0-9a-f-]{36}$`);

export interface BatchView extends Partial<BatchProgress> {
  batchId: string;
  /** In the 202 of a new batch: whether it takes the half-price route. */
  deferred?: boolean;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  links: { self: string; ui: string };
}

export class BatchService {
  constructor(
    private readonly client: Client,
    private readonly config: AppConfig,
  ) {}

  private links(batchId: string) {
    return { self: `/api/batches/${batchId}`, ui: temporalUiRunUrl(this.config, batchId) };
  }

  /** `priority` is inherited by every child job and its activities (the server merges it down). */
  /** `deferred` (default DEFERRED_BATCHES_BY_DEFAULT): one provider batch at half price, the sync chain for what it does not answer. */
  async start(input: AnalyzeBatchInput, scheduling: { priority?: Priority; deferred?: boolean } = {}): Promise<BatchView> {
    const batchId = `${BATCH_ID_PREFIX}${randomUUID()}`;
    const deferred = scheduling.deferred ?? this.config.deferred.batchesByDefault;
    const workflowType = deferred ? WORKFLOW_TYPES.analyzeDeferredBatch : WORKFLOW_TYPES.analyzeBatch;
    await this.client.workflow.start<typeof analyzeBatch>(workflowType, {
      workflowId: batchId,
      taskQueue: this.config.temporal.taskQueue,
      args: [{ ...input, plan: input.plan ?? planProviderChain(this.config), ...(deferred && { schedule: deferredScheduleOf(this.config) }) }],
      ...(scheduling.priority && { priority: scheduling.priority }),
      staticSummary: `Batch of ${input.items.length} documents (${input.analysisType}), ${input.concurrency} at a time`,
    });
    return { batchId, status: 'running', total: input.items.length, deferred, links: this.links(batchId) };
  }

  /** undefined when no such batch exists. */
  async read(batchId: string): Promise<BatchView | undefined> {
    const handle = this.client.workflow.getHandle(batchId);
    try {
      const description = await handle.describe();
      const progress = await this.client.connection
        .withDeadline(Date.now() + 2_000, () => handle.query(batchProgressQuery))
        .catch(() => undefined);
      const status = description.status.name === 'RUNNING' ? 'running' : description.status.name === 'COMPLETED' ? 'completed' : description.status.name === 'CANCELLED' ? 'cancelled' : 'failed';
      return { batchId, status, ...progress, links: this.links(batchId) };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }
}

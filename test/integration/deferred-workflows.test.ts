/**
 * Every branch of the deferred workflows against a real dev server, with stubbed activities: what the
 * workflow decides (batch answer, per-item fallback, failed submit, max wait, cancellation), not the I/O.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { BatchItemOutcome, BatchItemRef, SubmittedAnalysisBatch } from '../../activities/provider-batch';
import { DEFAULT_ANALYSIS } from '../emulator/provider-emulator';
import { getTestStack, type TestStack } from '../helpers/stack';
import { dataConverterFor } from '../../shared/adapters/data-converter';
import type { AnalysisResult } from '../../shared/core/analysis-result';
import type { AnalyzeDeferredBatchInput, AnalyzeDeferredDocumentInput, BatchProgress, JobProgress } from '../../shared/core/job-types';
import { batchProgressQuery, jobProgressQuery, WORKFLOW_TYPES } from '../../shared/core/names';
import type { ProviderStep } from '../../shared/core/providers/plan';

const answer = (provider: string, tokens = 10): AnalysisResult => ({
  ...DEFAULT_ANALYSIS,
  entities: [...DEFAULT_ANALYSIS.entities],
  keyPoints: [...DEFAULT_ANALYSIS.keyPoints],
  topics: [...DEFAULT_ANALYSIS.topics],
  sentiment: { ...DEFAULT_ANALYSIS.sentiment },
  meta: { provider, model: `${provider}-model`, inputTokens: tokens, outputTokens: tokens, latencyMs: 1, cached: false, attempts: 1, tier: 'advanced' },
});

interface Script {
  /** Outcome per custom id; items not named answer from the batch. */
  outcomes?: Record<string, Omit<Extract<BatchItemOutcome, { ok: false }>, 'customId'>>;
  submitFails?: boolean;
  neverEnds?: boolean;
}

function stubActivities(script: Script, calls: string[]) {
  return {
    async planProviderChain() {
      return [];
    },
    async readCachedAnalysis() {
      return null;
    },
    async writeCachedAnalysis() {
      return true;
    },
    async submitAnalysisBatch({ items }: { items: BatchItemRef[] }): Promise<SubmittedAnalysisBatch> {
      calls.push(`submit:${items.length}`);
      if (script.submitFails) throw ApplicationFailure.nonRetryable('the batch API said no', 'InvalidRequest');
      return { batchId: 'msgbatch_stub', model: 'anthropic-model', tier: 'advanced', submittedAt: 0, missing: [] };
    },
    async checkAnalysisBatch() {
      calls.push('check');
      return { ended: !script.neverEnds, status: script.neverEnds ? 'in_progress' : 'ended' };
    },
    async cancelAnalysisBatch() {
      calls.push('cancel');
    },
    async collectAnalysisBatch({ items }: { items: BatchItemRef[] }): Promise<BatchItemOutcome[]> {
      calls.push('collect');
      return items.map(({ customId }) => {
        const failure = script.outcomes?.[customId];
        return failure ? { customId, ...failure } : { customId, ok: true, result: answer('anthropic') };
      });
    },
    async callProvider() {
      calls.push('callProvider');
      return answer('anthropic', 20);
    },
    async analyzeWithLocalAnalyzer() {
      calls.push('local');
      return answer('local', 0);
    },
  };
}

describe('deferred workflows (stubbed activities, real server)', function () {
  this.timeout(30_000);
  let stack: TestStack;
  before(async function () {
    this.timeout(300_000);
    stack = await getTestStack();
  });

  const planOn = (taskQueue: string, providers: ProviderStep['provider'][] = ['anthropic', 'local']): ProviderStep[] =>
    providers.map((provider) => ({ provider, taskQueue, startToCloseTimeoutMs: 5_000, heartbeatTimeoutMs: 0, retry: { maximumAttempts: 1, initialIntervalMs: 100, backoffCoefficient: 1, maximumIntervalMs: 100 } }));
  const schedule = { pollIntervalMs: 50, maxWaitMs: 300 };

  async function runDocument(script: Script, options: { providers?: ProviderStep['provider'][]; cancelAfter?: string } = {}) {
    const taskQueue = `deferred-${randomUUID()}`;
    const calls: string[] = [];
    const worker = await Worker.create({ connection: stack.nativeConnection, taskQueue, workflowBundle: stack.workflowBundle, dataConverter: dataConverterFor(stack.config), activities: stubActivities(script, calls) });
    return worker.runUntil(async () => {
      const input: AnalyzeDeferredDocumentInput = { documentId: 'doc_x', analysisType: 'full', plan: planOn(taskQueue, options.providers), schedule };
      const handle = await stack.client.workflow.start(WORKFLOW_TYPES.analyzeDeferredDocument, { workflowId: `deferred-${randomUUID()}`, taskQueue, args: [input] });
      if (options.cancelAfter) {
        while (!calls.includes(options.cancelAfter)) await new Promise((resolve) => setTimeout(resolve, 20));
        await handle.cancel();
      }
      const result = await handle.result().catch((error: unknown) => error as Error);
      const progress: JobProgress = await handle.query(jobProgressQuery);
      return { result, progress, calls };
    });
  }

  it('answers from the provider batch: route batch, savings, no synchronous call', async () => {
    const { result, progress, calls } = await runDocument({});
    assert.equal((result as AnalysisResult).meta.provider, 'anthropic');
    assert.equal(progress.route, 'batch');
    assert.deepEqual(progress.savings, { discount: 0.5, inputTokens: 10, outputTokens: 10 });
    assert.deepEqual(progress.providerBatch, { provider: 'anthropic', batchId: 'msgbatch_stub', status: 'ended' });
    assert.ok(!calls.includes('callProvider'));
    assert.deepEqual(calls.filter((call) => call !== 'check'), ['submit:1', 'collect']);
  });

  it('takes the sync chain for an item the batch answered with an error, both steps in the chain', async () => {
    const { result, progress, calls } = await runDocument({ outcomes: { 'item-0': { ok: false, errorType: 'InvalidOutput', message: 'prose', inputTokens: 7, outputTokens: 3 } } });
    assert.equal((result as AnalysisResult).meta.inputTokens, 20);
    assert.equal(progress.route, 'sync');
    assert.deepEqual(progress.chain.map((step) => [step.outcome, step.route, step.errorType]), [['failed', 'batch', 'InvalidOutput'], ['succeeded', undefined, undefined]]);
    assert.deepEqual(progress.tokens, { input: 27, output: 23 }, 'the failed batch answer’s tokens count too');
    assert.equal(calls.filter((call) => call === 'callProvider').length, 1);
  });

  it('takes the sync chain when the batch cannot be submitted', async () => {
    const { progress, calls } = await runDocument({ submitFails: true });
    assert.equal(progress.route, 'sync');
    assert.equal(progress.chain[0]?.errorType, 'InvalidRequest');
    assert.deepEqual(calls, ['submit:1', 'callProvider']);
  });

  it('cancels a batch that outlasts the longest wait, then takes the sync chain', async () => {
    const { progress, calls } = await runDocument({ neverEnds: true });
    assert.equal(progress.chain[0]?.errorType, 'BatchItemExpired');
    assert.equal(calls.filter((call) => call === 'check').length, 6, 'maxWait / pollInterval checks');
    assert.deepEqual(calls.slice(-2), ['cancel', 'callProvider']);
  });

  it('withdraws the provider batch when the job is cancelled while it waits', async () => {
    const { result, progress, calls } = await runDocument({ neverEnds: true }, { cancelAfter: 'check' });
    assert.ok(result instanceof WorkflowFailedError);
    assert.equal(progress.stage, 'cancelled');
    assert.ok(calls.includes('cancel'));
    assert.ok(!calls.includes('callProvider'));
  });

  it('runs the sync chain at once when no provider in the chain has a batch API', async () => {
    const { result, progress, calls } = await runDocument({}, { providers: ['openai-compatible', 'local'] });
    assert.equal(progress.route, 'sync');
    assert.equal((result as AnalysisResult).meta.provider, 'anthropic', 'the stub answers every provider call');
    assert.deepEqual(calls, ['callProvider']);
  });

  it('a deferred batch: batch answers for most, a child job for the item that errored', async () => {
    const taskQueue = `deferred-batch-${randomUUID()}`;
    const calls: string[] = [];
    const worker = await Worker.create({
      connection: stack.nativeConnection,
      taskQueue,
      workflowBundle: stack.workflowBundle,
      dataConverter: dataConverterFor(stack.config),
      activities: stubActivities({ outcomes: { 'item-1': { ok: false, errorType: 'BatchItemErrored', message: '529', inputTokens: 0, outputTokens: 0 } } }, calls),
    });
    const progress: BatchProgress = await worker.runUntil(async () => {
      const input: AnalyzeDeferredBatchInput = {
        items: [{ documentId: 'doc_a', cacheKey: 'a' }, { documentId: 'doc_b', cacheKey: 'b' }, { documentId: 'doc_c', cacheKey: 'c' }],
        analysisType: 'full',
        concurrency: 2,
        plan: planOn(taskQueue),
        schedule,
      };
      const handle = await stack.client.workflow.start(WORKFLOW_TYPES.analyzeDeferredBatch, { workflowId: `deferred-batch-${randomUUID()}`, taskQueue, args: [input] });
      await handle.result();
      return handle.query(batchProgressQuery);
    });
    assert.deepEqual(progress.counts.completed, 3);
    assert.deepEqual(progress.children.map((child) => [child.documentId, child.route, child.jobId !== undefined]), [
      ['doc_a', 'batch', false],
      ['doc_b', 'sync', true],
      ['doc_c', 'batch', false],
    ]);
    assert.deepEqual(progress.savings, { discount: 0.5, inputTokens: 20, outputTokens: 20 });
    assert.deepEqual(calls.filter((call) => call !== 'check'), ['submit:3', 'collect', 'callProvider']);
  });
});

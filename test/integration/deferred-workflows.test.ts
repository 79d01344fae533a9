/**
 * Every branch of the deferred workflows against a real dev server, with stubbed activities: what the
 * workflow decides (batch answer, per-item fallback, failed submit, max wait, cancellation), not the I/O.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { BatchItemOutcome, BatchItemRef, SubmitAnalysisBatchRequest, SubmittedAnalysisBatch } from '../../activities/provider-batch';
import type { BatchReservation } from '../../shared/core/spend/batch-spend';
import type { Amount } from '../../shared/core/spend/budget';
import { DEFAULT_ANALYSIS } from '../emulator/provider-emulator';
import { getTestStack, type TestStack } from '../helpers/stack';
import { dataConverterFor } from '../../shared/adapters/data-converter';
import type { AnalysisResult } from '../../shared/core/analysis-result';
import type { AnalyzeDeferredBatchInput, AnalyzeDeferredDocumentInput, BatchProgress, JobProgress } from '../../shared/core/job-types';
import { applicationFailureOf } from '../../shared/core/failure-types';
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
  /** Custom ids the budget cannot hold at submit. */
  refuse?: string[];
  /** The batch ends only once this activity has been called. */
  endsAfter?: string;
  collectFails?: boolean;
}

const SAVINGS = { discount: 0.5, inputTokens: 10, outputTokens: 10, costNanoUsd: 90, savedNanoUsd: 90 };
const WORST_CASE = { tokens: 500, nanoUsd: 4_000 };
type SettleRequest = { reservation: BatchReservation; reported?: Record<string, Amount> };

function stubActivities(script: Script, calls: string[], settled: SettleRequest[] = [], localCalls: { storeUnderCacheKey?: string }[] = []) {
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
    async submitAnalysisBatch({ items, reserve }: SubmitAnalysisBatchRequest): Promise<SubmittedAnalysisBatch> {
      calls.push(`submit:${items.length}`);
      if (script.submitFails) throw ApplicationFailure.nonRetryable('the batch API said no', 'InvalidRequest');
      const refused = (script.refuse ?? []).map((customId) => ({ customId, message: `budget key:stub|day:x cannot hold ${customId}` }));
      const sent = items.filter((item) => !script.refuse?.includes(item.customId));
      const reservation = reserve && sent.length > 0 ? { id: 'res-stub', ledgers: [], worstCase: Object.fromEntries(sent.map((item) => [item.customId, WORST_CASE])) } : undefined;
      return { batchId: sent.length > 0 ? 'msgbatch_stub' : '', model: 'anthropic-model', tier: 'advanced', submittedAt: 0, missing: [], refused, ...(reservation && { reservation }) };
    },
    async settleAnalysisBatch(request: SettleRequest) {
      calls.push('settle');
      settled.push(request);
    },
    async checkAnalysisBatch() {
      calls.push('check');
      const ended = !script.neverEnds && (!script.endsAfter || calls.includes(script.endsAfter));
      return { ended, status: ended ? 'ended' : 'in_progress' };
    },
    async cancelAnalysisBatch() {
      calls.push('cancel');
    },
    async collectAnalysisBatch({ items }: { items: BatchItemRef[] }): Promise<BatchItemOutcome[]> {
      calls.push('collect');
      if (script.collectFails) throw ApplicationFailure.nonRetryable('results file gone', 'InvalidRequest');
      return items.map(({ customId }) => {
        const failure = script.outcomes?.[customId];
        return failure ? { customId, ...failure, charge: { tokens: 0, nanoUsd: 0 } } : { customId, ok: true, result: answer('anthropic'), charge: { tokens: 20, nanoUsd: 90 }, savings: SAVINGS };
      });
    },
    async callProvider() {
      calls.push('callProvider');
      return answer('anthropic', 20);
    },
    async analyzeWithLocalAnalyzer(request: { storeUnderCacheKey?: string }) {
      calls.push('local');
      localCalls.push(request);
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
  const BUDGET = { scope: 'key:stub', limits: [{ window: 'day' as const, unit: 'nanoUsd' as const, amount: 10_000 }] };

  async function runDocument(script: Script, options: { providers?: ProviderStep['provider'][]; cancelAfter?: string } = {}) {
    const taskQueue = `deferred-${randomUUID()}`;
    const calls: string[] = [];
    const settled: SettleRequest[] = [];
    const localCalls: { storeUnderCacheKey?: string }[] = [];
    const worker = await Worker.create({ connection: stack.nativeConnection, taskQueue, workflowBundle: stack.workflowBundle, dataConverter: dataConverterFor(stack.config), activities: stubActivities(script, calls, settled, localCalls) });
    return worker.runUntil(async () => {
      const input: AnalyzeDeferredDocumentInput = { documentId: 'doc_x', analysisType: 'full', cacheKey: 'key-x', cacheChecked: true, plan: planOn(taskQueue, options.providers), schedule, options: { budget: BUDGET } };
      const handle = await stack.client.workflow.start(WORKFLOW_TYPES.analyzeDeferredDocument, { workflowId: `deferred-${randomUUID()}`, taskQueue, args: [input] });
      if (options.cancelAfter) {
        while (!calls.includes(options.cancelAfter)) await new Promise((resolve) => setTimeout(resolve, 20));
        await handle.cancel();
      }
      const result = await handle.result().catch((error: unknown) => error as Error);
      const progress: JobProgress = await handle.query(jobProgressQuery);
      return { result, progress, calls, settled, localCalls };
    });
  }

  it('answers from the provider batch: route batch, savings, no synchronous call; the item settles to what it cost', async () => {
    const { result, progress, calls, settled } = await runDocument({});
    assert.equal((result as AnalysisResult).meta.provider, 'anthropic');
    assert.equal(progress.route, 'batch');
    assert.deepEqual(progress.savings, SAVINGS);
    assert.deepEqual(progress.providerBatch, { provider: 'anthropic', batchId: 'msgbatch_stub', status: 'ended' });
    assert.ok(!calls.includes('callProvider'));
    assert.deepEqual(calls.filter((call) => call !== 'check'), ['submit:1', 'collect', 'settle']);
    assert.deepEqual(settled.map((request) => request.reported), [{ 'item-0': { tokens: 20, nanoUsd: 90 } }]);
  });

  it('an item the budget cannot hold is not sent: the job goes on past the batch provider, to local, and caches nothing', async () => {
    const { result, progress, calls, settled, localCalls } = await runDocument({ refuse: ['item-0'] });
    assert.equal((result as AnalysisResult).meta.provider, 'local');
    assert.equal(progress.route, 'sync');
    assert.deepEqual(progress.chain.map((step) => [step.provider, step.outcome, step.route, step.errorType]), [['anthropic', 'failed', 'batch', 'BudgetExceeded'], ['local', 'succeeded', undefined, undefined]]);
    assert.match(progress.chain[0]!.errorMessage!, /budget key:stub\|day:x cannot hold item-0/);
    assert.deepEqual(calls, ['submit:1', 'local'], 'no check, no synchronous anthropic call, nothing to settle');
    assert.deepEqual(settled, []);
    assert.equal(localCalls[0]?.storeUnderCacheKey, undefined, 'the local answer is not the provider answer under the job’s key');
  });

  it('an item the budget cannot hold fails the job with BudgetExceeded when the chain has nothing past the batch provider', async () => {
    const { result, progress, calls } = await runDocument({ refuse: ['item-0'] }, { providers: ['anthropic'] });
    assert.ok(result instanceof WorkflowFailedError);
    assert.equal(applicationFailureOf(result)?.type, 'BudgetExceeded');
    assert.match(applicationFailureOf(result)!.message, /the budget cannot hold this analysis: budget key:stub/);
    assert.equal(progress.stage, 'failed');
    assert.deepEqual(calls, ['submit:1']);
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

  it('cancels a batch that outlasts the longest wait, settles it at the worst case, then takes the sync chain', async () => {
    const { progress, calls, settled } = await runDocument({ neverEnds: true });
    assert.equal(progress.chain[0]?.errorType, 'BatchItemExpired');
    assert.equal(calls.filter((call) => call === 'check').length, 6, 'maxWait / pollInterval checks');
    assert.deepEqual(calls.slice(-3), ['cancel', 'settle', 'callProvider']);
    assert.deepEqual(settled, [{ reservation: { id: 'res-stub', ledgers: [], worstCase: { 'item-0': WORST_CASE } } }], 'no report: every item at its worst case');
  });

  it('settles a batch whose results cannot be read at its worst case, then takes the sync chain', async () => {
    const { progress, calls, settled } = await runDocument({ collectFails: true });
    assert.equal(progress.chain[0]?.errorType, 'BatchFailed');
    assert.deepEqual(calls.filter((call) => call !== 'check'), ['submit:1', 'collect', 'settle', 'callProvider']);
    assert.deepEqual(settled.map((request) => request.reported), [undefined]);
  });

  it('withdraws the provider batch when the job is cancelled while it waits, and settles it at the worst case', async () => {
    const { result, progress, calls, settled } = await runDocument({ neverEnds: true }, { cancelAfter: 'check' });
    assert.ok(result instanceof WorkflowFailedError);
    assert.equal(progress.stage, 'cancelled');
    assert.ok(calls.includes('cancel'));
    assert.ok(!calls.includes('callProvider'));
    assert.equal(settled.length, 1);
    assert.equal(settled[0]!.reported, undefined);
  });

  it('runs the sync chain at once when no provider in the chain has a batch API', async () => {
    const { result, progress, calls } = await runDocument({}, { providers: ['openai-compatible', 'local'] });
    assert.equal(progress.route, 'sync');
    assert.equal((result as AnalysisResult).meta.provider, 'anthropic', 'the stub answers every provider call');
    assert.deepEqual(calls, ['callProvider']);
  });

  /** A deferred batch of doc_a, doc_b, doc_c (cache keys a, b, c) through the stubs, to its end. */
  async function runBatch(script: Script, options: AnalyzeDeferredBatchInput['options'] = {}) {
    const taskQueue = `deferred-batch-${randomUUID()}`;
    const calls: string[] = [];
    const settled: SettleRequest[] = [];
    const worker = await Worker.create({ connection: stack.nativeConnection, taskQueue, workflowBundle: stack.workflowBundle, dataConverter: dataConverterFor(stack.config), activities: stubActivities(script, calls, settled) });
    const progress: BatchProgress = await worker.runUntil(async () => {
      const input: AnalyzeDeferredBatchInput = { items: ['a', 'b', 'c'].map((name) => ({ documentId: `doc_${name}`, cacheKey: name })), analysisType: 'full', concurrency: 2, plan: planOn(taskQueue), schedule, options };
      const handle = await stack.client.workflow.start(WORKFLOW_TYPES.analyzeDeferredBatch, { workflowId: `deferred-batch-${randomUUID()}`, taskQueue, args: [input] });
      await handle.result();
      return handle.query(batchProgressQuery);
    });
    return { progress, calls, settled };
  }

  it('a deferred batch: batch answers for most, a child job for the item that errored', async () => {
    const { progress, calls } = await runBatch({ outcomes: { 'item-1': { ok: false, errorType: 'BatchItemErrored', message: '529', inputTokens: 0, outputTokens: 0 } } });
    assert.deepEqual(progress.counts.completed, 3);
    assert.deepEqual(progress.children.map((child) => [child.documentId, child.route, child.jobId !== undefined]), [
      ['doc_a', 'batch', false],
      ['doc_b', 'sync', true],
      ['doc_c', 'batch', false],
    ]);
    assert.deepEqual(progress.savings, { ...SAVINGS, inputTokens: 20, outputTokens: 20, costNanoUsd: 180, savedNanoUsd: 180 });
    assert.deepEqual(calls.filter((call) => call !== 'check'), ['submit:3', 'collect', 'settle', 'callProvider']);
  });

  it('a deferred batch: documents the budget cannot hold become children at once, past the batch provider, while the batch waits', async () => {
    // The batch cannot end before a refused document has run: a workflow that waited for it would see it expire.
    const { progress, calls, settled } = await runBatch({ refuse: ['item-1', 'item-2'], endsAfter: 'local' }, { budget: BUDGET });
    assert.equal(progress.counts.completed, 3);
    assert.deepEqual(progress.children.map((child) => [child.documentId, child.route, child.provider, child.jobId !== undefined]), [
      ['doc_a', 'batch', 'anthropic', false],
      ['doc_b', 'sync', 'local', true],
      ['doc_c', 'sync', 'local', true],
    ]);
    assert.ok(calls.includes('collect'), `the batch answered: ${calls.join(',')}`);
    assert.ok(!calls.includes('callProvider'));
    assert.deepEqual(settled.map((request) => Object.keys(request.reservation.worstCase)), [['item-0']]);
    assert.deepEqual(progress.savings, SAVINGS);
  });
});

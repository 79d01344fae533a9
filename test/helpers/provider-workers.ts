/** Workers wired to the provider emulator, each with its own task queues (and so its own breakers). */
import { randomUUID } from 'node:crypto';
import { startProviderEmulator, type ProviderEmulator } from '../emulator/provider-emulator';
import { startRedis, type RunningRedis } from './redis';
import type { JobView } from '../../api/job-view';
import { waitFor } from './http';
import { getTestStack, type RunningWorkers, type TestStack } from './stack';

export function providerEnv(emulator: ProviderEmulator, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    TEMPORAL_TASK_QUEUE: `providers-${randomUUID()}`,
    LLM_PROVIDERS: 'anthropic,openai,local',
    ANTHROPIC_API_KEY: 'sk-ant-test-key',
    ANTHROPIC_BASE_URL: emulator.anthropicBaseUrl,
    OPENAI_API_KEY: 'sk-test-key',
    OPENAI_BASE_URL: emulator.openaiBaseUrl,
    OPENAI_COMPATIBLE_BASE_URL: emulator.openaiCompatibleBaseUrl,
  };
  // Fast retries: the behaviour under test is the policy, not the default intervals.
  for (const prefix of ['ANTHROPIC', 'OPENAI', 'OPENAI_COMPATIBLE']) {
    env[`${prefix}_RETRY_INITIAL_INTERVAL_SECONDS`] = '0.1';
    env[`${prefix}_RETRY_ATTEMPTS`] = '3';
    env[`${prefix}_TIMEOUT_SECONDS`] = '3';
  }
  return { ...env, ...overrides };
}

export function startProviderWorkers(stack: TestStack, emulator: ProviderEmulator, overrides: NodeJS.ProcessEnv = {}): Promise<RunningWorkers> {
  return stack.startWorkers(providerEnv(emulator, overrides));
}

export interface ProviderHarness {
  stack: TestStack;
  emulator: ProviderEmulator;
  /** Only with `{ redis: true }`. */
  redis: RunningRedis;
  /** The workers the current test started (stopped after each test). */
  workers: RunningWorkers | undefined;
  start(overrides?: NodeJS.ProcessEnv): Promise<RunningWorkers>;
}

/**
 * Mocha hooks for a suite of provider tests: the shared stack, an emulator reset before each test,
 * optionally a Redis, and the test's workers stopped after it.
 */
export function useProviderHarness(options: { redis?: boolean; defaults?: NodeJS.ProcessEnv } = {}): ProviderHarness {
  const harness = { workers: undefined } as ProviderHarness;
  before(async function () {
    this.timeout(300_000);
    harness.stack = await getTestStack();
    harness.emulator = await startProviderEmulator();
    if (options.redis) harness.redis = await startRedis();
  });
  after(async () => {
    await harness.emulator?.close();
    await harness.redis?.stop();
  });
  beforeEach(() => harness.emulator.reset());
  afterEach(async () => {
    await harness.workers?.stop();
    harness.workers = undefined;
  });
  harness.start = async (overrides = {}) => {
    harness.workers = await startProviderWorkers(harness.stack, harness.emulator, { ...options.defaults, ...overrides });
    return harness.workers;
  };
  return harness;
}

/** Stores `content`, starts a full analysis on `running`'s workers and waits (60 s at most) for the job to finish. */
export async function analyzeToTheEnd(stack: TestStack, running: RunningWorkers, content: string): Promise<JobView> {
  const document = await stack.documents.create({ content });
  const job = await running.jobs.start({ documentId: document.id, analysisType: 'full' });
  return (await waitFor(
    () => running.jobs.read(job.jobId),
    (view) => view !== undefined && ['completed', 'failed', 'cancelled'].includes(view.status),
    60_000,
  ))!;
}

/** Workers wired to the provider emulator, each with its own task queues (and so its own breakers). */
import { randomUUID } from 'node:crypto';
import type { ProviderEmulator } from '../emulator/provider-emulator';
import type { RunningWorkers, TestStack } from './stack';

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

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startProviderEmulator, type ProviderEmulator } from './provider-emulator';

export interface EmulatorWithSdkClients {
  emulator: ProviderEmulator;
  anthropic: Anthropic;
  openai: OpenAI;
}

/** Mocha hooks for the emulator's own tests: one emulator, the real SDKs pointed at it, its faults and counters reset after each test. */
export function useEmulatorWithSdkClients(): EmulatorWithSdkClients {
  const sdk = {} as EmulatorWithSdkClients;
  before(async () => {
    sdk.emulator = await startProviderEmulator();
    sdk.anthropic = new Anthropic({ apiKey: 'test-anthropic-key', baseURL: sdk.emulator.anthropicBaseUrl, maxRetries: 0 });
    sdk.openai = new OpenAI({ apiKey: 'test-openai-key', baseURL: sdk.emulator.openaiBaseUrl, maxRetries: 0 });
  });
  afterEach(() => sdk.emulator.reset());
  after(() => sdk.emulator.close());
  return sdk;
}

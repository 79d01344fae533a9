import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { useEmulatorWithSdkClients } from './with-sdk-clients';

/** Long enough to be cached by either provider (over 1024 tokens at four characters a token). */
const LONG_SYSTEM = 'You analyse business documents and answer in JSON. '.repeat(100);

describe('provider emulator: prompt-cache usage fields', () => {
  const sdk = useEmulatorWithSdkClients();

  it('Anthropic: a cache_control prefix is written on first use and read after, on top of input_tokens', async () => {
    const ask = (question: string) =>
      sdk.anthropic.messages.create({
        model: 'claude-3-5-haiku-latest',
        max_tokens: 100,
        system: [{ type: 'text', text: LONG_SYSTEM, cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: question }],
      });
    const prefixTokens = Math.ceil(LONG_SYSTEM.length / 4);
    const first = await ask('First question?');
    assert.equal(first.usage.cache_creation_input_tokens, prefixTokens);
    assert.equal(first.usage.cache_read_input_tokens, 0);
    const second = await ask('Second question, a little longer?');
    assert.equal(second.usage.cache_creation_input_tokens, 0);
    assert.equal(second.usage.cache_read_input_tokens, prefixTokens);
    assert.equal(second.usage.input_tokens, Math.ceil((LONG_SYSTEM + 'Second question, a little longer?').length / 4) - prefixTokens);
  });

  it('Anthropic: no breakpoint, no cache fields', async () => {
    const message = await sdk.anthropic.messages.create({ model: 'm', max_tokens: 10, system: LONG_SYSTEM, messages: [{ role: 'user', content: 'q' }] });
    assert.equal(message.usage.cache_creation_input_tokens, 0);
    assert.equal(message.usage.cache_read_input_tokens, 0);
  });

  it('OpenAI: a repeated prompt of 1024+ tokens reports cached_tokens inside prompt_tokens, in 128-token steps', async () => {
    const ask = (question: string) =>
      sdk.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: LONG_SYSTEM }, { role: 'user', content: question }] });
    const first = await ask('First?');
    assert.equal(first.usage?.prompt_tokens_details?.cached_tokens, 0);
    const second = await ask('Second?');
    const cached = second.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    assert.ok(cached >= 1024 && cached % 128 === 0, `cached ${cached}`);
    assert.ok(cached <= (second.usage?.prompt_tokens ?? 0));
    assert.equal(second.usage?.prompt_tokens, Math.ceil((LONG_SYSTEM + 'Second?').length / 4));
  });

  it('programmed usage is billed alike by both dialects', async () => {
    const usage = { input: 100, output: 20, cacheRead: 2048, cacheWrite: 0 };
    sdk.emulator.provider('anthropic').enqueue({ kind: 'ok', usage });
    sdk.emulator.provider('openai').enqueue({ kind: 'ok', usage });
    const message = await sdk.anthropic.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'q' }] });
    const completion = await sdk.openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }] });
    assert.equal(message.usage.input_tokens, 100);
    assert.equal(message.usage.cache_read_input_tokens, 2048);
    assert.equal(completion.usage?.prompt_tokens, 2148);
    assert.equal(completion.usage?.prompt_tokens_details?.cached_tokens, 2048);
  });
});

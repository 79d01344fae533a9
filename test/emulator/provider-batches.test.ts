import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { toFile } from 'openai';
import { DEFAULT_ANALYSIS } from './provider-emulator';
import { useEmulatorWithSdkClients } from './with-sdk-clients';

const params = (text: string) => ({ model: 'claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user' as const, content: text }] });
const chatLine = (customId: string, text: string) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] } });

describe('provider emulator: batch APIs through the real SDKs', () => {
  const sdk = useEmulatorWithSdkClients();


  it('Anthropic Message Batches: in_progress, then ended with per-item results as JSONL (an item error included)', async () => {
    sdk.emulator.provider('anthropic').setBatchBehaviour({ processingMs: 150 }).enqueue({ kind: 'ok' }, { kind: 'status', status: 529 }, { kind: 'hang' });
    const created = await sdk.anthropic.messages.batches.create({
      requests: [
        { custom_id: 'a', params: params('first') },
        { custom_id: 'b', params: params('second') },
        { custom_id: 'c', params: params('third') },
      ],
    });
    assert.match(created.id, /^msgbatch_/);
    assert.equal(created.processing_status, 'in_progress');
    assert.equal(created.request_counts.processing, 3);
    assert.equal(created.results_url, null);
    await assert.rejects(sdk.anthropic.messages.batches.results(created.id), /results_url/);

    await sleep(200);
    const ended = await sdk.anthropic.messages.batches.retrieve(created.id);
    assert.equal(ended.processing_status, 'ended');
    assert.deepEqual(ended.request_counts, { processing: 0, succeeded: 1, errored: 1, canceled: 0, expired: 1 });
    const results: Anthropic.Messages.MessageBatchIndividualResponse[] = [];
    for await (const line of await sdk.anthropic.messages.batches.results(created.id)) results.push(line);
    const byId = Object.fromEntries(results.map((line) => [line.custom_id, line.result]));
    assert.equal(byId.a?.type, 'succeeded');
    if (byId.a?.type === 'succeeded') {
      const block = byId.a.message.content[0];
      assert.deepEqual(block?.type === 'text' && JSON.parse(block.text), DEFAULT_ANALYSIS);
      assert.ok(byId.a.message.usage.input_tokens > 0);
    }
    assert.equal(byId.b?.type, 'errored');
    if (byId.b?.type === 'errored') assert.equal(byId.b.error.error.type, 'overloaded_error');
    assert.equal(byId.c?.type, 'expired');
    assert.ok(sdk.emulator.provider('anthropic').requestLog.every((entry) => entry.path.startsWith('/anthropic/v1/messages/batches')));
  });

  it('Anthropic: a cancelled batch ends with its items canceled; an expired batch with every item expired', async () => {
    const controller = sdk.emulator.provider('anthropic').setBatchBehaviour({ processingMs: 60_000 });
    const cancelled = await sdk.anthropic.messages.batches.create({ requests: [{ custom_id: 'x', params: params('x') }] });
    await sdk.anthropic.messages.batches.cancel(cancelled.id);
    const lines = [];
    for await (const line of await sdk.anthropic.messages.batches.results(cancelled.id)) lines.push(line.result.type);
    assert.deepEqual(lines, ['canceled']);

    controller.setBatchBehaviour({ processingMs: 10, expire: true });
    const expired = await sdk.anthropic.messages.batches.create({ requests: [{ custom_id: 'y', params: params('y') }] });
    await sleep(30);
    assert.equal((await sdk.anthropic.messages.batches.retrieve(expired.id)).request_counts.expired, 1);
  });

  it('OpenAI Batch: JSONL upload, validating → in_progress → completed, output and error files', async () => {
    sdk.emulator.provider('openai').setBatchBehaviour({ processingMs: 150 }).enqueue({ kind: 'ok' }, { kind: 'status', status: 500 });
    const file = await sdk.openai.files.create({ file: await toFile(Buffer.from(`${chatLine('one', 'first')}\n${chatLine('two', 'second')}\n`), 'batch.jsonl'), purpose: 'batch' });
    assert.match(file.id, /^file-/);
    assert.equal(file.purpose, 'batch');
    const batch = await sdk.openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    assert.equal(batch.status, 'validating');
    assert.equal((await sdk.openai.batches.retrieve(batch.id)).status, 'in_progress');
    await sleep(200);
    const done = await sdk.openai.batches.retrieve(batch.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.request_counts, { total: 2, completed: 1, failed: 1 });
    const output = (await (await sdk.openai.files.content(done.output_file_id!)).text()).trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(output.length, 1);
    assert.equal(output[0].custom_id, 'one');
    assert.equal(output[0].response.status_code, 200);
    assert.deepEqual(JSON.parse(output[0].response.body.choices[0].message.content), DEFAULT_ANALYSIS);
    const errors = (await (await sdk.openai.files.content(done.error_file_id!)).text()).trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(errors[0].custom_id, 'two');
    assert.equal(errors[0].response.status_code, 500);
  });

  it('OpenAI: an expired batch reports every request in the error file as batch_expired', async () => {
    sdk.emulator.provider('openai').setBatchBehaviour({ processingMs: 10, expire: true });
    const file = await sdk.openai.files.create({ file: await toFile(Buffer.from(chatLine('one', 'first')), 'batch.jsonl'), purpose: 'batch' });
    const batch = await sdk.openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await sleep(30);
    const done = await sdk.openai.batches.retrieve(batch.id);
    assert.equal(done.status, 'expired');
    assert.equal(done.output_file_id, undefined);
    const [line] = (await (await sdk.openai.files.content(done.error_file_id!)).text()).trim().split('\n').map((entry) => JSON.parse(entry));
    assert.equal(line.error.code, 'batch_expired');
  });
});

import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { rejection } from '../helpers/assertions';
import {
  DEFAULT_ANALYSIS,
  DEFAULT_ANALYSIS_TEXT,
  fencedText,
  MALFORMED_TEXT,
} from './provider-emulator';
import { useEmulatorWithSdkClients } from './with-sdk-clients';

const PROMPT = 'Analyse this document: Acme opens a regional office in Lisbon.';

describe('provider emulator', () => {
  const sdk = useEmulatorWithSdkClients();

  const claude = (options?: Anthropic.RequestOptions) =>
    sdk.anthropic.messages.create(
      { model: 'claude-haiku-4-5', max_tokens: 1024, system: 'Answer in JSON.', messages: [{ role: 'user', content: PROMPT }] },
      options,
    );
  const gpt = (options?: OpenAI.RequestOptions) =>
    sdk.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] }, options);
  const claudeText = async () => {
    const block = (await claude()).content[0];
    assert.equal(block?.type, 'text');
    return block.text;
  };
  const gptText = async () => (await gpt()).choices[0]?.message.content;


  describe('successful answers', () => {
    it('answers an Anthropic Messages request with the default analysis, the requested model and token usage', async () => {
      const message = await claude();
      assert.match(message.id, /^msg_/);
      assert.equal(message.type, 'message');
      assert.equal(message.role, 'assistant');
      assert.equal(message.model, 'claude-haiku-4-5');
      assert.equal(message.stop_reason, 'end_turn');
      assert.equal(message.stop_sequence, null);
      const block = message.content[0];
      assert.equal(block?.type, 'text');
      assert.deepEqual(JSON.parse(block.text), DEFAULT_ANALYSIS);
      const promptChars = 'Answer in JSON.'.length + PROMPT.length;
      assert.equal(message.usage.input_tokens, Math.ceil(promptChars / 4));
      assert.equal(message.usage.output_tokens, Math.ceil(DEFAULT_ANALYSIS_TEXT.length / 4));
      assert.match(message._request_id ?? '', /^req_/);
    });

    it('answers an OpenAI chat completion with the default analysis, the requested model and token usage', async () => {
      const completion = await gpt();
      assert.match(completion.id, /^chatcmpl-/);
      assert.equal(completion.object, 'chat.completion');
      assert.equal(completion.model, 'gpt-4o-mini');
      const choice = completion.choices[0];
      assert.equal(choice?.finish_reason, 'stop');
      assert.equal(choice.message.role, 'assistant');
      assert.equal(choice.message.refusal, null);
      assert.deepEqual(JSON.parse(choice.message.content ?? ''), DEFAULT_ANALYSIS);
      assert.deepEqual(completion.usage, {
        prompt_tokens: Math.ceil(PROMPT.length / 4),
        completion_tokens: Math.ceil(DEFAULT_ANALYSIS_TEXT.length / 4),
        total_tokens: Math.ceil(PROMPT.length / 4) + Math.ceil(DEFAULT_ANALYSIS_TEXT.length / 4),
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      });
      assert.match(completion._request_id ?? '', /^req_/);
    });

    it('answers with the programmed content and usage', async () => {
      sdk.emulator.provider('anthropic').enqueue({ kind: 'ok', content: '{"summary":"short"}', usage: { input: 7, output: 3 } });
      const message = await claude();
      assert.deepEqual(message.content[0], { type: 'text', text: '{"summary":"short"}' });
      assert.equal(message.usage.input_tokens, 7);
      assert.equal(message.usage.output_tokens, 3);
    });

    it('answers after the programmed delay, counting the request as in flight meanwhile', async () => {
      const controller = sdk.emulator.provider('openai').enqueue({ kind: 'ok', delayMs: 300 });
      const started = Date.now();
      const answer = gpt();
      await controller.waitForRequests(1);
      assert.equal(controller.inFlight, 1);
      await answer;
      assert.ok(Date.now() - started >= 290, `answered after ${Date.now() - started} ms`);
      assert.equal(controller.inFlight, 0);
      assert.equal(controller.aborted, 0);
    });

    it('lists models on both providers, usable as a health probe', async () => {
      const anthropicModels = await sdk.anthropic.models.list();
      assert.ok(anthropicModels.data.length > 0);
      const openaiModels = await sdk.openai.models.list();
      assert.ok(openaiModels.data.length > 0);
      assert.equal(sdk.emulator.provider('anthropic').requests, 0, 'probes are not completion requests');
    });
  });

  describe('content faults', () => {
    it('answers 200 with the JSON inside ```json fences and prose around it (fenced)', async () => {
      sdk.emulator.provider('anthropic').enqueue({ kind: 'fenced' });
      sdk.emulator.provider('openai').enqueue({ kind: 'fenced', content: '{"summary":"x"}' });
      const text = await claudeText();
      assert.equal(text, fencedText(JSON.stringify(DEFAULT_ANALYSIS, null, 2)));
      assert.match(text, /^Here is the analysis[\s\S]*```json\n\{[\s\S]*\}\n```[\s\S]+$/);
      assert.equal(await gptText(), fencedText('{"summary":"x"}'));
    });

    it('answers 200 with prose that is not JSON (malformed)', async () => {
      sdk.emulator.provider('anthropic').enqueue({ kind: 'malformed' });
      sdk.emulator.provider('openai').enqueue({ kind: 'malformed' });
      assert.equal(await claudeText(), MALFORMED_TEXT);
      assert.equal(await gptText(), MALFORMED_TEXT);
      assert.throws(() => JSON.parse(MALFORMED_TEXT));
    });
  });

  describe('HTTP error faults', () => {
    it('surfaces Anthropic 429 as RateLimitError with retry-after readable from error.headers', async () => {
      sdk.emulator.provider('anthropic').enqueue({ kind: 'status', status: 429, headers: { 'retry-after': '2' } });
      const error = await rejection(claude());
      assert.ok(error instanceof Anthropic.RateLimitError);
      assert.equal(error.status, 429);
      assert.equal(error.headers.get('retry-after'), '2');
      assert.equal(error.type, 'rate_limit_error');
      assert.match(error.requestID ?? '', /^req_/);
      assert.equal(error.name, 'RateLimitError');
      assert.deepEqual(error.error, {
        type: 'error',
        error: { type: 'rate_limit_error', message: error.apiMessage },
        request_id: error.requestID,
      });
    });

    it('surfaces OpenAI 429 as RateLimitError with retry-after-ms readable and code/type from the body', async () => {
      sdk.emulator.provider('openai').enqueue({ kind: 'status', status: 429, headers: { 'retry-after-ms': '1500' } });
      const error = await rejection(gpt());
      assert.ok(error instanceof OpenAI.RateLimitError);
      assert.equal(error.status, 429);
      assert.equal(error.headers.get('retry-after-ms'), '1500');
      assert.equal(error.code, 'rate_limit_exceeded');
      assert.equal(error.type, 'requests');
      assert.match(error.requestID ?? '', /^req_/);
      assert.deepEqual(Object.keys(error.error as object).sort(), ['code', 'message', 'param', 'type']);
    });

    it('surfaces Anthropic 529 as OverloadedError (an InternalServerError) with status 529', async () => {
      sdk.emulator.provider('anthropic').enqueue({ kind: 'status', status: 529 });
      const error = await rejection(claude());
      assert.ok(error instanceof Anthropic.OverloadedError);
      assert.ok(error instanceof Anthropic.InternalServerError);
      assert.equal(error.status, 529);
      assert.equal(error.type, 'overloaded_error');
    });

    it('sends a programmed error body verbatim', async () => {
      const body = { error: { message: 'quota gone', type: 'insufficient_quota', code: 'insufficient_quota' } };
      sdk.emulator.provider('openai').enqueue({ kind: 'status', status: 429, body });
      const error = await rejection(gpt());
      assert.ok(error instanceof OpenAI.RateLimitError);
      assert.equal(error.code, 'insufficient_quota');
      assert.deepEqual(error.error, body.error);
    });

    it('answers 401 with the provider error body when the key header is missing', async () => {
      const anthropicResponse = await fetch(`${sdk.emulator.anthropicBaseUrl}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(anthropicResponse.status, 401);
      const anthropicBody = (await anthropicResponse.json()) as { type: string; error: { type: string } };
      assert.equal(anthropicBody.type, 'error');
      assert.equal(anthropicBody.error.type, 'authentication_error');

      const openaiResponse = await fetch(`${sdk.emulator.openaiBaseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(openaiResponse.status, 401);
      const openaiBody = (await openaiResponse.json()) as { error: { type: string; message: string } };
      assert.equal(openaiBody.error.type, 'invalid_request_error');

      const [record] = sdk.emulator.provider('anthropic').requestLog;
      assert.deepEqual(record?.headers, { xApiKey: false, authorization: false });
      assert.equal(record.fault, undefined, 'a rejected request consumes no fault');
    });

    it('rejects streaming requests with 400 invalid_request_error', async () => {
      const error = await rejection(
        sdk.anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      );
      assert.ok(error instanceof Anthropic.BadRequestError);
      assert.equal(error.type, 'invalid_request_error');
      const openaiError = await rejection(
        sdk.openai.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      );
      assert.ok(openaiError instanceof OpenAI.BadRequestError);
    });
  });

  describe('connection faults', () => {
    it('counts an aborted request when the client gives up on a hanging request', async () => {
      const controller = sdk.emulator.provider('anthropic').enqueue({ kind: 'hang' });
      const error = await rejection(claude({ signal: AbortSignal.timeout(200) }));
      assert.ok(error instanceof Anthropic.APIUserAbortError);
      assert.equal(await controller.waitForAbort(2_000), 1);
      assert.equal(controller.inFlight, 0);
    });

    it('counts an aborted request when the SDK times out on a hanging request', async () => {
      const controller = sdk.emulator.provider('openai').enqueue({ kind: 'hang' });
      const error = await rejection(gpt({ timeout: 200 }));
      assert.ok(error instanceof OpenAI.APIConnectionTimeoutError);
      assert.equal(await controller.waitForAbort(2_000), 1);
    });

    it('surfaces a reset connection as APIConnectionError, not counted as a client abort', async () => {
      sdk.emulator.provider('anthropic').enqueue({ kind: 'reset' });
      sdk.emulator.provider('openai').enqueue({ kind: 'reset' });
      const anthropicError = await rejection(claude());
      assert.ok(anthropicError instanceof Anthropic.APIConnectionError);
      assert.equal((anthropicError as InstanceType<typeof Anthropic.APIConnectionError>).status, undefined);
      assert.ok(!(anthropicError instanceof Anthropic.APIConnectionTimeoutError));
      const openaiError = await rejection(gpt());
      assert.ok(openaiError instanceof OpenAI.APIConnectionError);
      assert.equal(sdk.emulator.provider('anthropic').aborted, 0);
      assert.equal(sdk.emulator.provider('openai').aborted, 0);
    });
  });

  describe('programming and counters', () => {
    it('consumes queued faults in order, then applies the default', async () => {
      const controller = sdk.emulator.provider('openai');
      controller.setDefault({ kind: 'status', status: 503 });
      controller.enqueue({ kind: 'status', status: 500 }, { kind: 'malformed' }, { kind: 'ok', content: 'third' });

      const statusOf = (promise: Promise<unknown>) => rejection(promise).then((error) => (error as InstanceType<typeof OpenAI.APIError>).status);
      assert.equal(await statusOf(gpt()), 500);
      assert.equal(await gptText(), MALFORMED_TEXT);
      assert.equal(await gptText(), 'third');
      assert.equal(await statusOf(gpt()), 503);
      assert.equal(await statusOf(gpt()), 503);
      assert.deepEqual(
        controller.requestLog.map((record) => record.fault),
        ['status', 'malformed', 'ok', 'status', 'status'],
      );
    });

    it('logs each request with its time, path, model, credentials and body', async () => {
      const before = Date.now();
      await claude();
      await gpt();
      const [claudeRecord] = await sdk.emulator.provider('anthropic').waitForRequests(1);
      assert.ok(claudeRecord && claudeRecord.at >= before);
      assert.equal(claudeRecord.path, '/anthropic/v1/messages');
      assert.equal(claudeRecord.model, 'claude-haiku-4-5');
      assert.deepEqual(claudeRecord.headers, { xApiKey: false, authorization: true }, 'the 1.x SDK sends apiKey as a Bearer token');
      assert.equal((claudeRecord.body as { max_tokens: number }).max_tokens, 1024);
      const [gptRecord] = sdk.emulator.provider('openai').requestLog;
      assert.equal(gptRecord?.path, '/openai/v1/chat/completions');
      assert.deepEqual(gptRecord.headers, { xApiKey: false, authorization: true });
      assert.equal(sdk.emulator.provider('anthropic').requests, 1);
      assert.equal(sdk.emulator.provider('openai').requests, 1);
    });

    it('reset() clears counters, queued faults and the default, and drops hanging requests', async () => {
      const controller = sdk.emulator.provider('anthropic');
      await claude();
      controller.setDefault({ kind: 'status', status: 500 }).enqueue({ kind: 'hang' });
      const hanging = rejection(claude());
      await controller.waitForRequests(2);
      assert.equal(controller.inFlight, 1);

      controller.reset();
      assert.ok((await hanging) instanceof Anthropic.APIConnectionError);
      assert.deepEqual([controller.requests, controller.aborted, controller.inFlight, controller.queuedFaults], [0, 0, 0, 0]);
      assert.deepEqual(JSON.parse(await claudeText()), DEFAULT_ANALYSIS);
      assert.equal(controller.requests, 1);
    });

    it('rejects waitForRequests when the requests do not arrive in time', async () => {
      await assert.rejects(sdk.emulator.provider('openai').waitForRequests(1, 50), /no 1 request\(s\) within 50 ms/);
    });
  });
});

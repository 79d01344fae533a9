import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { loadConfig } from '../../shared/config';
import { createLogger } from '../../shared/adapters/logging/logger';
import { REDACTED, redactSecrets, secretValuesOf } from '../../shared/adapters/logging/secrets';
import { logFieldsOf } from '../../shared/adapters/logging/sdk-log-fields';
import { BundlerLogger, coreLogLevelFor, PinoSdkLogger } from '../../shared/adapters/logging/sdk-logger';

/** A pino destination that keeps every line. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines, json: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

const payloadKey = randomBytes(32).toString('base64');
const config = loadConfig({
  API_KEYS: 'client-key-1234,client-key-5678',
  ADMIN_API_KEYS: 'admin-key-abcdef',
  OPENAI_API_KEY: 'sk-openai-secret',
  PAYLOAD_ENCRYPTION_KEYS: `k1:${payloadKey}`,
  REDIS_URL: 'redis://user:redis-pass-word@redis:6379',
});

describe('secrets in logs', () => {
  it('lists every secret value the config holds, and nothing else', () => {
    assert.deepEqual(new Set(secretValuesOf(config)), new Set(['client-key-1234', 'client-key-5678', 'admin-key-abcdef', 'sk-openai-secret', payloadKey, 'redis-pass-word']));
    assert.deepEqual(secretValuesOf(loadConfig({})), []);
  });

  it('blanks each secret, also in its JSON-escaped form', () => {
    const secret = 'a"b\\c-long';
    const line = JSON.stringify({ msg: `key ${secret} and client-key-1234 twice client-key-1234` });
    const redacted = redactSecrets(line, [secret, 'client-key-1234']);
    assert.equal(redacted, JSON.stringify({ msg: `key ${REDACTED} and ${REDACTED} twice ${REDACTED}` }));
  });

  it('the process logger never writes a configured secret, whatever a caller passes it', () => {
    const out = capture();
    const log = createLogger({ name: 'api', level: 'info', secrets: secretValuesOf(config), destination: out.stream });
    log.error({ err: new Error(`provider said: invalid key sk-openai-secret`) }, `request with ${payloadKey}`);
    log.info({ headers: { authorization: 'Bearer client-key-1234' }, apiKey: 'whatever-value' }, 'a request');
    const text = out.lines.join('\n');
    for (const secret of [...secretValuesOf(config), 'whatever-value']) assert.ok(!text.includes(secret), `${secret} leaked`);
    assert.match(text, /\[redacted\]/);
  });
});

describe('structured logger', () => {
  it('writes one JSON object per line with level word, time, name and the name-prefixed message', () => {
    const out = capture();
    createLogger({ name: 'worker', level: 'info', destination: out.stream }).info({ taskQueues: ['a'] }, 'polling');
    const [line] = out.json();
    assert.equal(line?.level, 'info');
    assert.equal(line?.name, 'worker');
    assert.equal(line?.msg, 'worker: polling');
    assert.deepEqual(line?.taskQueues, ['a']);
    assert.ok(!Number.isNaN(Date.parse(String(line?.time))));
  });

  it('drops lines below LOG_LEVEL', () => {
    const out = capture();
    const log = createLogger({ name: 'api', level: 'warn', destination: out.stream });
    log.info('quiet');
    log.warn('loud');
    assert.deepEqual(out.json().map((line) => line.msg), ['api: loud']);
  });
});

describe('Temporal SDK logs on pino', () => {
  const activityMeta = {
    isLocal: false,
    attempt: 2,
    namespace: 'default',
    taskToken: 'Cg…opaque',
    activityId: '3',
    activityType: 'callProvider',
    taskQueue: 'analysis-llm-openai',
    workflowId: 'analysis-abc',
    workflowRunId: 'run-1',
    workflowType: 'analyzeDocument',
  };

  it('turns activity metadata into jobId, workflowId, runId, activityType and attempt, without the task token', () => {
    const fields = logFieldsOf(activityMeta);
    assert.equal(fields.jobId, 'analysis-abc');
    assert.equal(fields.workflowId, 'analysis-abc');
    assert.equal(fields.runId, 'run-1');
    assert.equal(fields.activityType, 'callProvider');
    assert.equal(fields.attempt, 2);
    assert.equal(fields.taskToken, undefined);
    assert.equal(fields.workflowRunId, undefined);
  });

  it('keeps a workflow line’s runId and names a batch by batchId', () => {
    const fields = logFieldsOf({ workflowId: 'batch-1', runId: 'run-9', workflowType: 'analyzeBatch' });
    assert.deepEqual(fields, { workflowId: 'batch-1', runId: 'run-9', workflowType: 'analyzeBatch', batchId: 'batch-1' });
  });

  it('maps SDK levels to pino levels and demotes the messages this layout always causes', () => {
    const out = capture();
    const sdk = new PinoSdkLogger(createLogger({ name: 'worker', level: 'debug', destination: out.stream }));
    sdk.warn('Activity failed', activityMeta);
    sdk.warn('No workflows registered, not polling for workflow tasks');
    sdk.trace('below debug');
    assert.deepEqual(out.json().map((line) => [line.level, line.msg]), [
      ['warn', 'worker: Activity failed'],
      ['debug', 'worker: No workflows registered, not polling for workflow tasks'],
    ]);
  });

  it('hands the bundler’s INFO output (webpack statistics) to DEBUG, keeping its warnings', () => {
    const out = capture();
    const bundler = new BundlerLogger(createLogger({ name: 'worker', level: 'info', destination: out.stream }));
    bundler.info('asset workflow-bundle-0123.js 1.2 MiB [emitted]');
    bundler.warn('a real problem');
    assert.deepEqual(out.json().map((line) => line.msg), ['worker: a real problem']);
  });

  it('lets Core speak at WARN unless the process logs at debug', () => {
    assert.deepEqual((['debug', 'info', 'warn', 'error'] as const).map(coreLogLevelFor), ['INFO', 'WARN', 'WARN', 'ERROR']);
  });
});

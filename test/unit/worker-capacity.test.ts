import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../shared/config';
import { mainWorkerCapacity, providerWorkerCapacity } from '../../workers/slot-options';

describe('documents database setting', () => {
  it('uses SQLite (no database URL) by default', () => {
    assert.equal(loadConfig({}).documents.databaseUrl, undefined);
  });

  it('takes a postgres:// or postgresql:// DATABASE_URL with a pool size', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://app:secret@db:5432/documents', DATABASE_POOL_SIZE: '20' });
    assert.deepEqual(config.documents, { databaseUrl: 'postgres://app:secret@db:5432/documents', poolSize: 20 });
    assert.equal(loadConfig({ DATABASE_URL: 'postgresql://db/documents' }).documents.databaseUrl, 'postgresql://db/documents');
  });

  it('refuses a DATABASE_URL of another kind without echoing it', () => {
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/documents' }),
      (error: Error) => error instanceof ConfigError && /DATABASE_URL/.test(error.message) && /postgres:\/\//.test(error.message) && !error.message.includes('hunter2'),
    );
  });
});

describe('worker capacity settings', () => {
  it("defaults to the SDK's fixed slot counts", () => {
    assert.deepEqual(mainWorkerCapacity(loadConfig({}).worker), {
      maxConcurrentWorkflowTaskExecutions: 40,
      maxConcurrentActivityTaskExecutions: 100,
      maxConcurrentLocalActivityExecutions: 100,
      shutdownGraceTime: 10_000,
    });
  });

  it('takes fixed slot counts from the environment', () => {
    const options = mainWorkerCapacity(
      loadConfig({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '8', WORKER_MAX_CONCURRENT_ACTIVITIES: '16', WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '4' }).worker,
    );
    assert.equal(options.maxConcurrentWorkflowTaskExecutions, 8);
    assert.equal(options.maxConcurrentActivityTaskExecutions, 16);
    assert.equal(options.maxConcurrentLocalActivityExecutions, 4);
    assert.equal(options.tuner, undefined);
  });

  it("uses the SDK's resource-based tuner with its targets, and no fixed counts (they are exclusive)", () => {
    const options = mainWorkerCapacity(loadConfig({ WORKER_SLOT_TUNER: 'resource-based', WORKER_TARGET_MEMORY_USAGE: '0.7', WORKER_TARGET_CPU_USAGE: '0.75' }).worker);
    assert.deepEqual(options.tuner, { tunerOptions: { targetMemoryUsage: 0.7, targetCpuUsage: 0.75 } });
    assert.equal(options.maxConcurrentActivityTaskExecutions, undefined);
  });

  it('keeps a provider queue at its bulkhead whatever the main tuner', () => {
    const config = loadConfig({ WORKER_SLOT_TUNER: 'resource-based' });
    assert.deepEqual(providerWorkerCapacity(config.worker, 7), { maxConcurrentActivityTaskExecutions: 7, shutdownGraceTime: config.worker.shutdownGraceMs });
  });

  it('lets a stopping worker wait out the longest provider timeout in use plus a margin, unless set', () => {
    assert.equal(loadConfig({ ANTHROPIC_API_KEY: 'k', ANTHROPIC_TIMEOUT_SECONDS: '45', OPENAI_API_KEY: 'k' }).worker.shutdownGraceMs, 55_000);
    assert.equal(loadConfig({ LLM_PROVIDERS: 'local' }).worker.shutdownGraceMs, 10_000);
    assert.equal(loadConfig({ ANTHROPIC_API_KEY: 'k', WORKER_SHUTDOWN_GRACE_SECONDS: '3' }).worker.shutdownGraceMs, 3_000);
  });

  it('refuses a target usage above 1 and a slot count of 0', () => {
    assert.throws(() => loadConfig({ WORKER_TARGET_CPU_USAGE: '1.5' }), /WORKER_TARGET_CPU_USAGE/);
    assert.throws(() => loadConfig({ WORKER_MAX_CONCURRENT_ACTIVITIES: '0' }), /WORKER_MAX_CONCURRENT_ACTIVITIES/);
  });
});

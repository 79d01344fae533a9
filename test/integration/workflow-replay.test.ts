import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

/** Histories recorded by earlier releases must replay on today's workflow code (see FALLBACK_CHAIN_PATCH). */
describe('workflow replay compatibility', function () {
  this.timeout(120_000);
  const dir = path.resolve(__dirname, '../fixtures/histories');
  const files = fs.readdirSync(dir).filter((file) => file.endsWith('.json'));
  let workflowBundle: WorkflowBundleWithSourceMap;

  // One bundle for every history: bundling per replay costs seconds each.
  before(async () => {
    workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
  });

  it('has recorded histories of every workflow type', () => {
    const types = new Set(files.map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).events[0].workflowExecutionStartedEventAttributes.workflowType.name));
    assert.deepEqual([...types].sort(), ['analyzeBatch', 'analyzeDocument', 'healthCheckWorkflow', 'operationModeWorkflow']);
  });

  for (const file of files) {
    it(`replays ${file} without nondeterminism`, async () => {
      // Recorded with JSON.stringify(await handle.fetchHistory()): the proto object form, not the CLI's JSON.
      const history = temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
      await Worker.runReplayHistory(
        { workflowBundle, replayName: file },
        history,
      );
    });
  }
});

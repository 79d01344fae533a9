import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import * as workflows from '../../workflows';

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

  // Every module in the bundle is evaluated again for each workflow run: a schema library there costs every job.
  it('bundles no schema library into the workflows', () => {
    assert.doesNotMatch(workflowBundle.code, /node_modules\/zod\//);
  });

  it('has recorded histories of every workflow type', () => {
    const types = new Set(files.map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).events[0].workflowExecutionStartedEventAttributes.workflowType.name));
    assert.deepEqual([...types].sort(), Object.keys(workflows).sort(), 'record the missing ones with `npm run record-histories`');
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

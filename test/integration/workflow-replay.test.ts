import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOW_PRELOAD_MODULES } from '../../workers/telemetry';
import * as workflows from '../../workflows';

/** Histories recorded by earlier releases must replay on today's workflow code (see FALLBACK_CHAIN_PATCH). */
describe('workflow replay compatibility', function () {
  this.timeout(120_000);
  const dir = path.resolve(__dirname, '../fixtures/histories');
  const files = fs.readdirSync(dir).filter((file) => file.endsWith('.json'));
  let workflowBundle: WorkflowBundleWithSourceMap;

  // One bundle for every history: bundling per replay costs seconds each.
  before(async () => {
    workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), preloadModules: WORKFLOW_PRELOAD_MODULES, logger: new DefaultLogger('WARN') });
  });

  // A module the worker does not preload is evaluated again for each workflow run: a schema library there costs every job.
  it('bundles no schema library into the workflows', () => {
    assert.doesNotMatch(workflowBundle.code, /node_modules\/zod\//);
  });

  // The preloaded modules are shared by every run in a worker thread (workers/telemetry.ts): state at
  // module scope would leak from one run into another.
  it('keeps no mutable state at module scope in the project modules the workflows preload', () => {
    const projectModules = [...workflowBundle.code.matchAll(/^\/\*\*\*\/ "\.\/((?:workflows|shared)\/[^"]+\.ts)"/gm)].map((match) => match[1]!);
    assert.ok(projectModules.includes('workflows/analyze-document.ts'), projectModules.join(', '));
    // Constant lookup tables are fine; what starts empty at module scope is there to be filled.
    const stateful = /^(?:export )?(?:let|var) |^(?:export )?const \w+(?:: [^=]+)? = (?:new (?:Map|Set|WeakMap|WeakSet|Array)(?:<[^>]*>)?\(\)|\[\]|\{\});?$/m;
    for (const file of projectModules) {
      assert.doesNotMatch(fs.readFileSync(path.join(__dirname, '../..', file), 'utf8'), stateful, `${file} keeps state at module scope`);
    }
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

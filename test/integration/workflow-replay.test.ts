import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOW_PRELOAD_MODULES } from '../../workers/telemetry';
import * as workflows from '../../workflows';
import { EVENT_DRIVEN_PROGRESS_PATCH } from '../../workflows/analyze-document';
import { JOB_WORKFLOW_REVISION } from '../../shared/core/job-types';

type RecordedHistory = { events: Record<string, any>[] };

const patchIdsIn = (history: RecordedHistory) =>
  history.events
    .map((event) => event.markerRecordedEventAttributes)
    .filter((marker) => marker?.markerName === 'core_patch')
    .map((marker) => JSON.parse(Buffer.from(marker.details['patch-data'].payloads[0].data, 'base64').toString('utf8')).id as string);

/** The history with its start input rewritten by `change`. */
function withInput(history: RecordedHistory, change: (input: Record<string, unknown>) => Record<string, unknown>): RecordedHistory {
  const copy = structuredClone(history);
  const payload = copy.events[0]!.workflowExecutionStartedEventAttributes.input.payloads[0];
  const input = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
  payload.data = Buffer.from(JSON.stringify(change(input))).toString('base64');
  return copy;
}

/** The history as if the starter had asked for `revision`. */
const startedWithRevision = (history: RecordedHistory, revision: number): RecordedHistory => withInput(history, (input) => ({ ...input, revision }));

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

  // An API of this release may start a job that a worker of the release before then runs (the API
  // upgraded before its workers): the history holds that worker's patch markers under an input of the
  // current revision, and today's code, which records none, must still replay it.
  const patchedJobHistories = files.filter((file) => {
    const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as RecordedHistory;
    return history.events[0]!.workflowExecutionStartedEventAttributes.workflowType.name === 'analyzeDocument' && patchIdsIn(history).includes(EVENT_DRIVEN_PROGRESS_PATCH);
  });
  it('has recorded job histories with patch markers to replay as current-revision runs', () => {
    assert.ok(patchedJobHistories.length >= 10, patchedJobHistories.join(', '));
  });
  for (const file of patchedJobHistories) {
    it(`replays ${file} started as revision ${JOB_WORKFLOW_REVISION} (recorded by a worker of the release before)`, async () => {
      const recorded = startedWithRevision(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')), JOB_WORKFLOW_REVISION);
      await Worker.runReplayHistory({ workflowBundle, replayName: `${file} as revision ${JOB_WORKFLOW_REVISION}` }, temporal.api.history.v1.History.fromObject(recorded));
    });
  }

  // A worker of the release before reads no `firstAttemptLocal` in the plan and runs the step as an
  // activity, with no marker: today's code must replay that run the same way.
  const plannedJobHistories = files.filter((file) => file.startsWith('analyze-document-api-started-retry-completed.'));
  it('has recorded job histories with a planned anthropic step', () => assert.ok(plannedJobHistories.length > 0));
  for (const file of plannedJobHistories) {
    it(`replays ${file} with its first attempt planned local (run by a worker of the release before)`, async () => {
      const recorded = withInput(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')), (input) => ({
        ...input,
        plan: (input.plan as { provider: string }[]).map((step) => (step.provider === 'anthropic' ? { ...step, firstAttemptLocal: true } : step)),
      }));
      await Worker.runReplayHistory({ workflowBundle, replayName: `${file} planned local-first` }, temporal.api.history.v1.History.fromObject(recorded));
    });
  }

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

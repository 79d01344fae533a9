import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../helpers/http';
import { useProviderHarness } from '../helpers/provider-workers';
import { getTestStack, type RunningWorkers, type TestStack } from '../helpers/stack';

const ROOT = path.resolve(__dirname, '../..');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI as a child process, with none of this machine's ANALYSIS_API_* settings. */
function cli(args: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  child.stdin?.end(options.stdin);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const englishText = () =>
  `Acme Corporation opens a regional office in Lisbon. Forty engineers will be hired this year (${randomUUID()}). ` +
  'The company expects the office to support customers across Europe. Local officials welcomed the investment warmly.';

describe('command-line client against the real API', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let tempDir: string;
  let api: string[];
  const writeTemp = (name: string, content: string) => {
    const file = path.join(tempDir, name);
    fs.writeFileSync(file, content);
    return file;
  };
  const jobIdIn = (stderr: string) => /^job (analysis-\S+)$/m.exec(stderr)?.[1];

  before(async function () {
    this.timeout(300_000);
    stack = await getTestStack();
    api = ['--api', stack.apiUrl];
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'analysis-cli-'));
  });
  after(() => fs.rmSync(tempDir, { recursive: true, force: true }));

  describe('analyze and status', () => {
    let file: string;
    let jobId: string | undefined;

    before(() => {
      file = writeTemp('office.txt', englishText());
    });

    it('analyzes a new file: progress and the Temporal UI link on stderr, the readable result on stdout, exit 0', async () => {
      const run = await cli(['analyze', file, ...api]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Summary\n {2}\S/);
      assert.match(run.stdout, /^Entities$/m);
      assert.match(run.stdout, /^Language +en$/m);
      assert.match(run.stdout, /provider local · model \S+ · tokens \d+ in \/ \d+ out · cached no$/m);
      jobId = jobIdIn(run.stderr);
      assert.ok(jobId, run.stderr);
      assert.match(run.stderr, /^(queued|analyzing|completed)( · .*)?$/m);
      assert.match(run.stderr, /^completed/m);
      assert.match(run.stderr, /^Temporal UI: http\S+\/workflows\/analysis-/m);
    });

    it('answers the same file again from the cache without starting a job', async () => {
      const run = await cli(['analyze', file, ...api]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /cached result: no job was started/);
      assert.equal(jobIdIn(run.stderr), undefined);
      assert.match(run.stdout, /^Summary\n/);
      assert.match(run.stdout, /cached yes$/m);
    });

    it('prints the closed job as JSON with --json, for a new file and for a cached one', async () => {
      const fresh = await cli(['analyze', writeTemp('json.txt', englishText()), '--json', ...api]);
      assert.equal(fresh.code, 0, fresh.stderr);
      const job = JSON.parse(fresh.stdout);
      assert.equal(job.status, 'completed');
      assert.match(job.jobId, /^analysis-/);
      assert.equal(typeof job.result.summary, 'string');

      const cached = await cli(['analyze', file, '--json', ...api]);
      assert.equal(cached.code, 0, cached.stderr);
      const answer = JSON.parse(cached.stdout);
      assert.equal(answer.status, 'completed');
      assert.equal(answer.result.meta.cached, true);
      // One shape for both: the same keys, the cached one with no job behind it.
      assert.deepEqual(Object.keys(answer).sort(), Object.keys(job).sort());
      assert.equal(job.cached, false);
      assert.equal(answer.cached, true);
      assert.equal(answer.jobId, null);
    });

    it('shows the status, chain, tokens and result of that job', async () => {
      assert.ok(jobId, 'the first analyze reported its job id');
      const run = await cli(['status', jobId, ...api]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`^job +${jobId}$`, 'm'));
      assert.match(run.stdout, /^status +completed$/m);
      assert.match(run.stdout, /^chain +1\. local .*· succeeded/m);
      assert.match(run.stdout, /^tokens +\d+ in \/ \d+ out$/m);
      assert.match(run.stdout, /^result +\S/m);
      assert.match(run.stdout, /^ui +http/m);

      const json = await cli(['status', jobId, '--json', ...api]);
      assert.equal(JSON.parse(json.stdout).status, 'completed');
    });

    it('reads the document from stdin with "-"', async () => {
      const run = await cli(['analyze', '-', '--no-wait', ...api], { stdin: englishText() });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^analysis-\S+\n$/);
    });

    it('`npm run -s cli -- analyze - --json` prints JSON alone on stdout (what the README pipes into jq)', async () => {
      const child = spawn('npm', ['run', '-s', 'cli', '--', 'analyze', '-', '--json', ...api], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child.stdin!.end(englishText());
      let stdout = '';
      child.stdout!.on('data', (chunk) => (stdout += chunk));
      const code = await new Promise((resolve) => child.on('close', resolve));
      assert.equal(code, 0);
      assert.equal(JSON.parse(stdout).status, 'completed');
    });
  });

  describe('failures', () => {
    it('exits 2 with a one-line message for a file that does not exist, before calling the API', async () => {
      const run = await cli(['analyze', path.join(tempDir, 'missing.txt'), '--api', 'http://127.0.0.1:1']);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^error: cannot read \S+missing\.txt: no such file\n$/);
    });

    it('exits 3 with one line naming the URL when the API cannot be reached', async () => {
      const run = await cli(['mode', '--api', 'http://127.0.0.1:1']);
      assert.equal(run.code, 3);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^error: cannot reach http:\/\/127\.0\.0\.1:1: .+\n$/);
    });

    it("exits 3 printing the API's error status, code and message, never a stack trace", async () => {
      const missing = `analysis-${randomUUID()}`;
      const run = await cli(['status', missing, ...api]);
      assert.equal(run.code, 3);
      assert.equal(run.stderr, `error: 404 not_found: job ${missing} does not exist\n`);
    });

    it('exits 2 for a usage error and points to --help', async () => {
      const run = await cli(['analyze']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /^error: analyze needs FILE\nRun with --help for usage\.\n$/);
    });
  });

  describe('operation mode', () => {
    it('shows, overrides and clears the operation mode', async () => {
      try {
        const normal = await cli(['mode', ...api]);
        assert.equal(normal.code, 0, normal.stderr);
        assert.match(normal.stdout, /^mode +NORMAL since /m);

        const set = await cli(['mode', 'set', 'DEGRADED', '--reason', 'test', ...api]);
        assert.equal(set.code, 0, set.stderr);
        assert.match(set.stdout, /^changed: NORMAL → DEGRADED$/m);

        const degraded = await cli(['mode', ...api]);
        assert.match(degraded.stdout, /^mode +DEGRADED since /m);
        assert.match(degraded.stdout, /^override +DEGRADED by \S+ \(warning\): test/m);
        assert.match(degraded.stdout, /NORMAL → DEGRADED +override by \S+: test$/m);

        const cleared = await cli(['mode', 'clear', ...api]);
        assert.equal(cleared.code, 0, cleared.stderr);
        assert.match(cleared.stdout, /^changed: DEGRADED → NORMAL$/m);
        assert.match((await cli(['mode', '--json', ...api])).stdout, /"mode": "NORMAL"/);
      } finally {
        await cli(['mode', 'clear', '--reason', 'cli test cleanup', ...api]);
      }
    });
  });

  describe('with API keys', () => {
    const CLIENT_KEY = `client-${randomUUID()}`;
    const ADMIN_KEY = `admin-${randomUUID()}`;
    let secured: RunningWorkers;

    before(async function () {
      this.timeout(300_000);
      secured = await stack.startWorkers({ TEMPORAL_TASK_QUEUE: `cli-${randomUUID()}`, API_KEYS: CLIENT_KEY, ADMIN_API_KEYS: ADMIN_KEY });
    });
    after(async () => secured?.stop());

    it('sends --key or ANALYSIS_API_KEY as a bearer token and never prints it', async () => {
      const withFlag = await cli(['mode', '--api', secured.apiUrl, '--key', CLIENT_KEY]);
      assert.equal(withFlag.code, 0, withFlag.stderr);
      const fromEnv = await cli(['mode'], { env: { ANALYSIS_API_URL: secured.apiUrl, ANALYSIS_API_KEY: CLIENT_KEY } });
      assert.equal(fromEnv.code, 0, fromEnv.stderr);

      const wrongKey = `wrong-${randomUUID()}`;
      const refused = await cli(['mode', '--api', secured.apiUrl, '--key', wrongKey]);
      assert.equal(refused.code, 3);
      assert.match(refused.stderr, /^error: 401 unauthorized: /);
      const forbidden = await cli(['mode', 'set', 'DEGRADED', '--reason', 'not allowed', '--api', secured.apiUrl, '--key', CLIENT_KEY]);
      assert.equal(forbidden.code, 3);
      assert.match(forbidden.stderr, /^error: 403 forbidden: /);
      for (const run of [withFlag, fromEnv, refused, forbidden]) {
        for (const key of [CLIENT_KEY, wrongKey]) assert.ok(!`${run.stdout}${run.stderr}`.includes(key), 'the key was printed');
      }
    });
  });

  describe('against the provider emulator', () => {
    const harness = useProviderHarness();
    const anthropic = () => harness.emulator.provider('anthropic');
    const emulatorApi = () => ['--api', harness.workers!.apiUrl];

    it('prints a progress line for each attempt with the last failure, then the provider\'s result', async () => {
      anthropic().enqueue({ kind: 'status', status: 429 }).setDefault({ kind: 'ok', delayMs: 2_000 });
      await harness.start();
      const run = await cli(['analyze', writeTemp('retry.txt', englishText()), ...emulatorApi()]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /^analyzing · anthropic · attempt 2 \(last: RateLimited\)$/m);
      const progress = run.stderr.split('\n').filter((line) => /^(queued|analyzing|completed)/.test(line));
      assert.equal(new Set(progress).size, progress.length, `a progress line repeated:\n${run.stderr}`);
      assert.match(run.stdout, /^provider anthropic · model \S+ \[advanced\] · tokens \d+ in \/ \d+ out · cached no$/m);
    });

    it('exits 1 and prints the error when the job fails', async () => {
      anthropic().setDefault({ kind: 'status', status: 400 });
      await harness.start({ LLM_PROVIDERS: 'anthropic' });
      const run = await cli(['analyze', writeTemp('fails.txt', englishText()), ...emulatorApi()]);
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^job failed: \S+: .+$/m);
      assert.match(run.stderr, /^Temporal UI: http/m);
    });

    it('cancels a running job: cancel exits 0 and the job ends cancelled', async () => {
      anthropic().setDefault({ kind: 'hang' });
      await harness.start({ ANTHROPIC_TIMEOUT_SECONDS: '30' });
      const started = await cli(['analyze', writeTemp('slow.txt', englishText()), '--no-wait', ...emulatorApi()]);
      assert.equal(started.code, 0, started.stderr);
      const jobId = started.stdout.trim();
      assert.match(jobId, /^analysis-/);
      await anthropic().waitForRequests(1, 20_000);

      const cancelled = await cli(['cancel', jobId, ...emulatorApi()]);
      assert.equal(cancelled.code, 0, cancelled.stderr);
      assert.equal(cancelled.stdout, `${jobId}: cancelling\n`);

      const closed = await waitFor(
        async () => JSON.parse((await cli(['status', jobId, '--json', ...emulatorApi()])).stdout),
        (job) => ['completed', 'failed', 'cancelled'].includes(job.status),
        30_000,
      );
      assert.equal(closed.status, 'cancelled');
      const text = await cli(['status', jobId, ...emulatorApi()]);
      assert.match(text.stdout, /^status +cancelled$/m);

      const again = await cli(['cancel', jobId, ...emulatorApi()]);
      assert.equal(again.code, 3);
      assert.equal(again.stderr, `error: 409 job_closed: job ${jobId} has already finished\n`);
    });
  });
});

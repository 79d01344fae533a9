import assert from 'node:assert/strict';
import { DEFAULT_API_URL, parseInvocation, UsageError } from '../../scripts/cli/args';
import { overrideRequestOf } from '../../scripts/cli/mode';

const parse = (argv: string[], env = {}) => parseInvocation(argv, env);
const usageError = (argv: string[], message: RegExp) => assert.throws(() => parse(argv), (error: unknown) => error instanceof UsageError && message.test(error.message));

describe('CLI arguments', () => {
  describe('analyze', () => {
    it('takes a file and defaults to a full analysis that waits for the job', () => {
      assert.deepEqual(parse(['analyze', 'notes.txt']).command, { name: 'analyze', file: 'notes.txt', analysisType: 'full', wait: true, json: false });
    });
    it('accepts "-" for stdin and options in any position', () => {
      assert.deepEqual(parse(['--json', 'analyze', '--max-tokens', '256', '-', '--no-wait', '--type', 'full']).command, {
        name: 'analyze',
        file: '-',
        analysisType: 'full',
        maxTokens: 256,
        wait: false,
        json: true,
      });
    });
    it('rejects a missing file, extra arguments, an unknown type and a non-numeric --max-tokens', () => {
      usageError(['analyze'], /analyze needs FILE/);
      usageError(['analyze', 'a.txt', 'b.txt'], /got extra "b.txt"/);
      usageError(['analyze', 'a.txt', '--type', 'brief'], /--type must be one of full, got "brief"/);
      usageError(['analyze', 'a.txt', '--max-tokens', '12k'], /--max-tokens must be a positive integer/);
      usageError(['analyze', 'a.txt', '--max-tokens', '0'], /--max-tokens must be a positive integer/);
    });
  });

  describe('status and cancel', () => {
    it('take exactly one job id', () => {
      assert.deepEqual(parse(['status', 'analysis-1']).command, { name: 'status', jobId: 'analysis-1', json: false });
      assert.deepEqual(parse(['cancel', 'analysis-1', '--json']).command, { name: 'cancel', jobId: 'analysis-1', json: true });
      usageError(['status'], /status needs JOB_ID/);
      usageError(['cancel', 'a', 'b'], /got extra "b"/);
    });
    it('reject options that belong to another command', () => {
      usageError(['status', 'analysis-1', '--no-wait'], /status does not take --no-wait/);
    });
  });

  describe('mode', () => {
    it('shows the mode without a subcommand', () => {
      assert.deepEqual(parse(['mode', '--json']).command, { name: 'mode', json: true });
    });
    it('sets an override with a reason, expiry and severity; the mode is case-insensitive', () => {
      assert.deepEqual(parse(['mode', 'set', 'degraded', '--reason', 'load test', '--expires-in', '600', '--severity', 'critical']).command, {
        name: 'mode set',
        mode: 'DEGRADED',
        reason: 'load test',
        expiresInSeconds: 600,
        severity: 'critical',
        json: false,
      });
    });
    it('refuses to set a mode without a reason, or with an unknown mode or severity', () => {
      usageError(['mode', 'set', 'DEGRADED'], /needs --reason/);
      usageError(['mode', 'set', 'DEGRADED', '--reason', '  '], /needs --reason/);
      usageError(['mode', 'set', 'PANIC', '--reason', 'x'], /MODE must be one of NORMAL, DEGRADED, EMERGENCY, MAINTENANCE, got "PANIC"/);
      usageError(['mode', 'set', 'DEGRADED', '--reason', 'x', '--severity', 'high'], /--severity must be one of info, warning, critical/);
      usageError(['mode', 'set', 'DEGRADED', '--reason', 'x', '--expires-in', '-5'], /--expires-in/);
    });
    it('clears with an optional reason and rejects unknown subcommands', () => {
      assert.deepEqual(parse(['mode', 'clear']).command, { name: 'mode clear', json: false });
      assert.deepEqual(parse(['mode', 'clear', '--reason', 'done']).command, { name: 'mode clear', reason: 'done', json: false });
      usageError(['mode', 'clear', '--severity', 'info'], /mode clear does not take --severity/);
      usageError(['mode', 'reset'], /unknown mode subcommand "reset"/);
    });
    it('turns --expires-in into an absolute expiry from the given clock', () => {
      const command = parse(['mode', 'set', 'MAINTENANCE', '--reason', 'upgrade', '--expires-in', '90']).command;
      assert.equal(command.name, 'mode set');
      if (command.name !== 'mode set') return;
      assert.deepEqual(overrideRequestOf(command, Date.parse('2025-01-01T00:00:00Z')), {
        mode: 'MAINTENANCE',
        reason: 'upgrade',
        expiresAt: '2025-01-01T00:01:30.000Z',
      });
    });
  });

  describe('connection and global options', () => {
    it('defaults to the local API with no key', () => {
      assert.deepEqual(parse(['mode']).connection, { apiUrl: DEFAULT_API_URL });
    });
    it('reads ANALYSIS_API_URL and ANALYSIS_API_KEY, and lets --api and --key win', () => {
      const env = { ANALYSIS_API_URL: 'https://analysis.example/', ANALYSIS_API_KEY: 'env-key' };
      assert.deepEqual(parse(['mode'], env).connection, { apiUrl: 'https://analysis.example', apiKey: 'env-key' });
      assert.deepEqual(parse(['mode', '--api', 'http://10.0.0.1:8080', '--key', 'flag-key'], env).connection, {
        apiUrl: 'http://10.0.0.1:8080',
        apiKey: 'flag-key',
      });
    });
    it('rejects an --api that is not an http(s) URL', () => {
      usageError(['mode', '--api', 'localhost:3000'], /--api must be an http\(s\) URL/);
      usageError(['mode', '--api', 'not a url'], /--api must be an http\(s\) URL/);
    });
    it('answers help for --help, -h and "help", whatever else is on the line', () => {
      for (const argv of [['--help'], ['-h'], ['help'], ['analyze', '--help'], ['status', '-h']]) {
        assert.deepEqual(parse(argv).command, { name: 'help' }, argv.join(' '));
      }
    });
    it('rejects no command, unknown commands and unknown options without echoing option values', () => {
      usageError([], /missing command/);
      usageError(['analyse', 'a.txt'], /unknown command "analyse"/);
      usageError(['mode', '--verbose'], /--verbose/);
      for (const argv of [['mode', '--key', 'sk-secret-value', '--bogus'], ['mode', '--key'], ['mode', '--key', 'sk-secret-value', 'extra']]) {
        assert.throws(
          () => parse(argv),
          (error: unknown) => error instanceof UsageError && !error.message.includes('sk-secret-value'),
          argv.join(' '),
        );
      }
    });
  });
});

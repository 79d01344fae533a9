import assert from 'node:assert/strict';
import type { AnalysisResult, AuditEntry, JobView, OperationModeAnswer } from '../../scripts/cli/api-types';
import { chainStepLine, isClosed, progressLine, progressUpdate, renderJob } from '../../scripts/cli/format-job';
import { renderMode, renderModeChange } from '../../scripts/cli/format-mode';
import { renderResult, summaryLine } from '../../scripts/cli/format-result';

const result: AnalysisResult = {
  summary: 'Acme opens an office in Lisbon. Forty engineers will be hired.',
  keyPoints: ['Acme opens an office in Lisbon', 'Forty engineers will be hired'],
  entities: [
    { name: 'Acme', type: 'organization' },
    { name: 'Lisbon', type: 'place' },
  ],
  sentiment: { label: 'positive', score: 0.4 },
  topics: ['office', 'engineers'],
  language: 'en',
  meta: { provider: 'anthropic', model: 'claude-x', inputTokens: 120, outputTokens: 80, latencyMs: 900, cached: false, attempts: 2, tier: 'advanced' },
};

const job = (overrides: Partial<JobView> = {}): JobView => ({
  jobId: 'analysis-1',
  status: 'running',
  stage: 'analyzing',
  chain: [],
  tokens: { input: 0, output: 0 },
  links: { self: '/api/jobs/analysis-1', ui: 'http://ui/namespaces/default/workflows/analysis-1' },
  version: '0123456789abcdef',
  ...overrides,
});

describe('CLI formatting', () => {
  describe('progress lines', () => {
    it('name the stage, the provider and the attempt with the last failure', () => {
      assert.equal(progressLine(job({ status: 'queued', stage: 'queued' })), 'queued');
      assert.equal(progressLine(job({ provider: 'anthropic' })), 'analyzing · anthropic');
      assert.equal(
        progressLine(job({ provider: 'openai', currentAttempt: { provider: 'anthropic', attempt: 2, lastFailure: 'RateLimited' } })),
        'analyzing · anthropic · attempt 2 (last: RateLimited)',
      );
      assert.equal(progressLine(job({ currentAttempt: { attempt: 1 } })), 'analyzing · attempt 1');
    });

    it('are printed for the first poll and then only when stage, provider or attempt changes', () => {
      const polls = [
        job({ status: 'queued', stage: 'queued' }),
        job({ status: 'queued', stage: 'queued' }),
        job({ provider: 'anthropic', currentAttempt: { provider: 'anthropic', attempt: 1 } }),
        job({ provider: 'anthropic', currentAttempt: { provider: 'anthropic', attempt: 1 }, tokens: { input: 5, output: 0 } }),
        job({ provider: 'anthropic', currentAttempt: { provider: 'anthropic', attempt: 2, lastFailure: 'RateLimited' } }),
        job({ provider: 'local', currentAttempt: { provider: 'local', attempt: 1 } }),
        job({ status: 'completed', stage: 'completed', provider: 'local' }),
      ];
      let shown: JobView | undefined;
      const printed: string[] = [];
      for (const poll of polls) {
        const line = progressUpdate(shown, poll);
        if (line !== undefined) {
          printed.push(line);
          shown = poll;
        }
      }
      assert.deepEqual(printed, [
        'queued',
        'analyzing · anthropic · attempt 1',
        'analyzing · anthropic · attempt 2 (last: RateLimited)',
        'analyzing · local · attempt 1',
        'completed · local',
      ]);
    });

    it('do not step back to "queued" when one progress query of a running job timed out', () => {
      assert.equal(progressUpdate(job({ provider: 'local' }), job({ status: 'queued', stage: 'queued' })), undefined);
    });

    it('treat completed, failed and cancelled as closed', () => {
      assert.deepEqual(
        (['queued', 'running', 'completed', 'failed', 'cancelled'] as const).map((status) => isClosed({ status })),
        [false, false, true, true, true],
      );
    });
  });

  describe('results', () => {
    it('show the content sections in order, then provider, model, tokens and whether it was cached', () => {
      const text = renderResult(result);
      const order = ['Summary', 'Key points', 'Entities', 'Sentiment', 'Topics', 'Language', 'provider'].map((heading) => text.indexOf(heading));
      assert.deepEqual([...order].sort((a, b) => a - b), order);
      assert.ok(!order.includes(-1));
      assert.match(text, /^ {2}Acme opens an office in Lisbon\. Forty engineers will be hired\.$/m);
      assert.match(text, /^ {2}- Forty engineers will be hired$/m);
      assert.match(text, /^ {2}Lisbon \(place\)$/m);
      assert.match(text, /^Sentiment +positive \(\+0\.40\)$/m);
      assert.match(text, /^Topics +office, engineers$/m);
      assert.match(text, /^Language +en$/m);
      assert.match(text, /provider anthropic · model claude-x \[advanced\] · tokens 120 in \/ 80 out · cached no$/);
    });

    it('say "(none)" for empty lists and mark cached answers', () => {
      const text = renderResult({ ...result, keyPoints: [], entities: [], topics: [], meta: { ...result.meta, cached: true } });
      assert.match(text, /Key points\n {2}\(none\)/);
      assert.match(text, /Entities\n {2}\(none\)/);
      assert.match(text, /^Topics +\(none\)$/m);
      assert.match(text, /cached yes$/);
    });

    it('shorten a summary to one line for status output', () => {
      assert.equal(summaryLine({ ...result, summary: `${'x'.repeat(150)}\nsecond line` }, 20), `${'x'.repeat(19)}…`);
    });
  });

  describe('job status', () => {
    it('lists the fallback chain one step per line with attempts and errors', () => {
      assert.equal(
        chainStepLine({ provider: 'anthropic', model: 'claude-x', tier: 'advanced', outcome: 'failed', attempts: 3, errorType: 'RateLimited', attemptErrors: ['Timeout', 'RateLimited', 'RateLimited'] }, 0),
        '1. anthropic claude-x [advanced] · failed after 3 attempts: RateLimited (Timeout, RateLimited, RateLimited)',
      );
      assert.equal(chainStepLine({ provider: 'local', outcome: 'succeeded', attempts: 1 }, 1), '2. local · succeeded');
    });

    it('shows status, chain, tokens, result summary and the UI link of a completed job', () => {
      const text = renderJob(
        job({
          status: 'completed',
          stage: 'completed',
          chain: [
            { provider: 'anthropic', outcome: 'failed', errorType: 'Unavailable' },
            { provider: 'local', outcome: 'succeeded' },
          ],
          tokens: { input: 120, output: 80 },
          result,
        }),
      );
      assert.match(text, /^status +completed$/m);
      assert.match(text, /^chain +1\. anthropic · failed: Unavailable\n +2\. local · succeeded$/m);
      assert.match(text, /^tokens +120 in \/ 80 out$/m);
      assert.match(text, /^result +Acme opens an office in Lisbon/m);
      assert.match(text, /^ui +http:\/\/ui\/namespaces\/default\/workflows\/analysis-1$/m);
    });

    it('shows the live progress of a running job and the error of a failed one', () => {
      assert.match(renderJob(job({ currentAttempt: { provider: 'openai', attempt: 3 } })), /^status +running · analyzing · openai · attempt 3$/m);
      const failed = renderJob(job({ status: 'failed', stage: 'failed', error: { type: 'AllProvidersFailed', message: 'every provider failed' } }));
      assert.match(failed, /^error +AllProvidersFailed: every provider failed$/m);
      assert.match(failed, /^chain +\(no provider tried yet\)$/m);
    });

    it('says why a chain is empty: a first step running (even on attempt 3), a cached answer, a cancel before any step', () => {
      const running = renderJob(job({ provider: 'anthropic', currentAttempt: { provider: 'anthropic', attempt: 3 } }));
      assert.match(running, /^chain +\(anthropic: first step in progress\)$/m);
      assert.match(renderJob(job({ status: 'cancelled', stage: 'cancelled' })), /^chain +\(cancelled before any provider ran\)$/m);
      const cached = renderJob(job({ status: 'completed', stage: 'completed', result: { ...result, meta: { ...result.meta, cached: true } } }));
      assert.match(cached, /^chain +\(answered from the cache: no provider called\)$/m);
    });
  });

  describe('operation mode', () => {
    const transition = (n: number): AuditEntry => ({
      from: 'NORMAL',
      to: 'DEGRADED',
      cause: 'health',
      actor: 'health-monitor',
      reason: `check ${n}`,
      at: `2025-01-01T00:00:0${n}.000Z`,
      checks: [],
    });
    const view: OperationModeAnswer = {
      mode: 'DEGRADED',
      modeSince: '2025-01-01T00:00:07.000Z',
      healthMode: 'NORMAL',
      override: { mode: 'DEGRADED', reason: 'load test', actor: 'key:1a2b3c4d', severity: 'warning', setAt: '2025-01-01T00:00:07.000Z', expiresAt: '2025-01-01T01:00:00.000Z' },
      reasons: [{ component: 'override:key:1a2b3c4d', description: 'load test', severity: 'warning' }],
      flags: { enable_document_analysis: { flag: 'enable_document_analysis', value: true, reason: 'MODE_VALUE', mode: 'DEGRADED' } },
      transitionCount: 7,
      audit: [1, 2, 3, 4, 5, 6, 7].map(transition),
    };

    it('shows mode, since, override with expiry, reasons, flags and the newest 5 audit entries first', () => {
      const text = renderMode(view);
      assert.match(text, /^mode +DEGRADED since 2025-01-01T00:00:07\.000Z \(health checks say NORMAL\)$/m);
      assert.match(text, /^override +DEGRADED by key:1a2b3c4d \(warning\): load test · set .* · expires 2025-01-01T01:00:00\.000Z$/m);
      assert.match(text, /^reasons +override:key:1a2b3c4d \(warning\): load test$/m);
      assert.match(text, /^flags +enable_document_analysis on$/m);
      assert.match(text, /^audit +latest 5 of 7 transitions, newest first$/m);
      const auditReasons = [...text.matchAll(/health by health-monitor: (check \d)/g)].map((match) => match[1]);
      assert.deepEqual(auditReasons, ['check 7', 'check 6', 'check 5', 'check 4', 'check 3']);
    });

    it('says "none" when there is no override or reason and no transitions yet', () => {
      const text = renderMode({ ...view, mode: 'NORMAL', healthMode: 'NORMAL', override: undefined, reasons: [], audit: [], transitionCount: 0 });
      assert.match(text, /^mode +NORMAL since \S+$/m);
      assert.match(text, /^override +none$/m);
      assert.match(text, /^reasons +none$/m);
      assert.match(text, /^audit +no transitions yet$/m);
    });

    it('leads a change with the transitions it caused, or says the mode stayed', () => {
      const { audit: _audit, transitionCount: _count, ...rest } = view;
      assert.match(renderModeChange({ ...rest, transitions: [transition(1)] }), /^changed: NORMAL → DEGRADED\nmode +DEGRADED/);
      assert.match(renderModeChange({ ...rest, transitions: [] }), /^mode stays DEGRADED\n/);
      assert.doesNotMatch(renderModeChange({ ...rest, transitions: [] }), /^audit/m);
    });
  });
});

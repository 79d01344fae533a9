import assert from 'node:assert/strict';
import {
  DEFAULT_HYSTERESIS_CONFIG,
  initialHysteresisState,
  reduceHealthCheck,
  resolveHysteresisConfig,
  targetModeOf,
  validateHealthCheck,
  type HealthCheckResult,
  type HealthTransition,
  type HysteresisState,
} from '../../shared/core/operation-mode/health-hysteresis';
import { isTransitionAllowed } from '../../shared/core/operation-mode/transitions';

const T0 = 1_700_000_000_000;
const CHECK_INTERVAL_MS = 30_000;
const DWELL_MS = DEFAULT_HYSTERESIS_CONFIG.minDwellMs;

const allPass: HealthCheckResult = {
  components: [
    { name: 'temporal', critical: true, ok: true },
    { name: 'redis', critical: false, ok: true },
  ],
};
const optionalFails: HealthCheckResult = {
  components: [
    { name: 'temporal', critical: true, ok: true },
    { name: 'redis', critical: false, ok: false, message: 'ECONNREFUSED' },
  ],
};
const criticalFails: HealthCheckResult = {
  components: [
    { name: 'temporal', critical: true, ok: false, message: 'deadline exceeded' },
    { name: 'redis', critical: false, ok: false },
  ],
};

/** Feeds `checks` one CHECK_INTERVAL_MS apart from `startMs`; returns the final state and every transition. */
function run(checks: HealthCheckResult[], state: HysteresisState = initialHysteresisState(), startMs = T0) {
  const transitions: (HealthTransition & { atMs: number })[] = [];
  checks.forEach((check, index) => {
    const atMs = startMs + index * CHECK_INTERVAL_MS;
    const step = reduceHealthCheck(state, check, atMs);
    state = step.next;
    if (step.transition) transitions.push({ ...step.transition, atMs });
  });
  return { state, transitions };
}

const times = (count: number, check: HealthCheckResult) => Array.from({ length: count }, () => check);
/** A state in `mode` whose last transition was long ago. */
const settledIn = (mode: HysteresisState['mode']): HysteresisState => ({ ...initialHysteresisState(), mode, lastTransitionAtMs: T0 - 24 * 3_600_000 });

describe('operation mode: health hysteresis', () => {
  it('points a check at EMERGENCY for a failing critical component, DEGRADED for optional ones only, NORMAL when all pass', () => {
    assert.equal(targetModeOf(criticalFails), 'EMERGENCY');
    assert.equal(targetModeOf(optionalFails), 'DEGRADED');
    assert.equal(targetModeOf(allPass), 'NORMAL');
  });

  it('validates health reports as wire data: problems come back as data, unknown fields are dropped', () => {
    assert.deepEqual(validateHealthCheck({ components: [{ name: 'db', critical: true, ok: false, extra: 1 }] }), {
      ok: true,
      value: { components: [{ name: 'db', critical: true, ok: false }] },
    });
    const invalid = validateHealthCheck({ components: [{ name: '', critical: 'yes', ok: true }] });
    assert.equal(invalid.ok, false);
    assert.deepEqual(invalid.ok ? [] : invalid.errors.map((error) => error.path), ['components.0.name', 'components.0.critical']);
    assert.deepEqual(validateHealthCheck({ components: [] }).ok, false, 'a check of nothing says nothing');
    assert.deepEqual(validateHealthCheck('healthy').ok, false);
  });

  it('enters DEGRADED on exactly the third consecutive failing check, not before', () => {
    const below = run(times(2, optionalFails));
    assert.equal(below.state.mode, 'NORMAL');
    assert.deepEqual(below.transitions, []);
    const at = run(times(3, optionalFails));
    assert.equal(at.transitions.length, 1);
    assert.deepEqual({ from: at.transitions[0]?.from, to: at.transitions[0]?.to }, { from: 'NORMAL', to: 'DEGRADED' });
    assert.match(at.transitions[0]?.reason ?? '', /3 consecutive checks with failures: redis/);
  });

  it('enters EMERGENCY directly after three critical checks, and from DEGRADED when critical failures follow', () => {
    assert.deepEqual(run(times(3, criticalFails)).transitions.map((t) => t.to), ['EMERGENCY']);
    const stepped = run([optionalFails, optionalFails, criticalFails, criticalFails, criticalFails]);
    assert.deepEqual(stepped.transitions.map((t) => `${t.from}->${t.to}`), ['NORMAL->DEGRADED', 'DEGRADED->EMERGENCY']);
  });

  it('counts critical checks towards DEGRADED: failures of mixed severity still degrade', () => {
    assert.deepEqual(run([criticalFails, optionalFails, criticalFails]).transitions.map((t) => t.to), ['DEGRADED']);
  });

  it('restarts the count after a passing check', () => {
    assert.deepEqual(run([optionalFails, optionalFails, allPass, optionalFails, optionalFails]).transitions, []);
  });

  it('honours a custom failure threshold', () => {
    const config = resolveHysteresisConfig({ failuresToDegrade: 1 });
    assert.equal(reduceHealthCheck(initialHysteresisState(), optionalFails, T0, config).transition?.to, 'DEGRADED');
    assert.throws(() => resolveHysteresisConfig({ failuresToDegrade: 0 }));
  });

  it('recovers only after three consecutive passing checks once the dwell time has passed', () => {
    const two = run(times(2, allPass), settledIn('DEGRADED'));
    assert.equal(two.state.mode, 'DEGRADED');
    const three = run(times(3, allPass), settledIn('DEGRADED'));
    assert.deepEqual(three.transitions.map((t) => `${t.from}->${t.to}`), ['DEGRADED->NORMAL']);
  });

  it('waits out the dwell time before recovering, however many checks pass', () => {
    const degraded = run(times(3, optionalFails));
    const degradedAt = degraded.transitions[0]!.atMs;
    // Passing checks every 30 s from the next one on: the recovery count is met after 90 s, the dwell time after 5 min.
    const recovery = run(times(20, allPass), degraded.state, degradedAt + CHECK_INTERVAL_MS);
    assert.equal(recovery.transitions.length, 1);
    assert.equal(recovery.transitions[0]?.to, 'NORMAL');
    assert.equal(recovery.transitions[0]?.atMs, degradedAt + DWELL_MS);
  });

  it('steps down from EMERGENCY one level at a time, each step with its own dwell', () => {
    const emergency = run(times(3, criticalFails));
    const at = emergency.transitions[0]!.atMs;
    const recovery = run(times(30, allPass), emergency.state, at + CHECK_INTERVAL_MS);
    assert.deepEqual(
      recovery.transitions.map((t) => [`${t.from}->${t.to}`, t.atMs - at]),
      [
        ['EMERGENCY->DEGRADED', DWELL_MS],
        ['DEGRADED->NORMAL', 2 * DWELL_MS],
      ],
    );
  });

  it('leaves EMERGENCY for DEGRADED when only optional components still fail', () => {
    const recovery = run(times(5, optionalFails), settledIn('EMERGENCY'));
    assert.deepEqual(recovery.transitions.map((t) => t.to), ['DEGRADED']);
    assert.match(recovery.transitions[0]?.reason ?? '', /still failing: redis/);
  });

  describe('a probe flapping 50% every 30 s for 5 minutes', () => {
    const checksIn5Minutes = 5 * 60_000 / CHECK_INTERVAL_MS + 1; // at 0 s, 30 s, …, 300 s
    const alternating = (failing: HealthCheckResult, failFirst: boolean) =>
      Array.from({ length: checksIn5Minutes }, (_, index) => ((index % 2 === 0) === failFirst ? failing : allPass));

    it('causes no more than one transition (strictly alternating, as specified)', () => {
      const { transitions } = run(alternating(optionalFails, true));
      assert.ok(transitions.length <= 1, JSON.stringify(transitions));
    });

    it('causes at most one transition from any settled mode, for optional and critical probes, failing or passing first', () => {
      for (const failing of [optionalFails, criticalFails]) {
        for (const failFirst of [true, false]) {
          for (const start of ['NORMAL', 'DEGRADED', 'EMERGENCY'] as const) {
            const { transitions } = run(alternating(failing, failFirst), settledIn(start));
            assert.ok(transitions.length <= 1, `from ${start}: ${JSON.stringify(transitions)}`);
          }
        }
      }
    });

    it('causes at most one transition from a fresh state, whatever the pass/fail pattern (all 2^11)', () => {
      for (const failing of [optionalFails, criticalFails]) {
        for (let pattern = 0; pattern < 2 ** checksIn5Minutes; pattern++) {
          const checks = Array.from({ length: checksIn5Minutes }, (_, bit) => ((pattern >> bit) & 1 ? failing : allPass));
          const { transitions } = run(checks);
          assert.ok(transitions.length <= 1, `pattern ${pattern.toString(2)}: ${transitions.length} transitions`);
        }
      }
    });
  });

  it('only ever makes transitions the health row of the transition table allows', () => {
    let seed = 42;
    const nextRandom = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const checks = Array.from({ length: 5_000 }, () => [allPass, optionalFails, criticalFails][Math.floor(nextRandom() * 3)]!);
    const { transitions } = run(checks, initialHysteresisState(), T0);
    assert.ok(transitions.length > 10, 'the random walk should move around');
    for (const transition of transitions) {
      assert.ok(isTransitionAllowed('health', transition.from, transition.to), `${transition.from}->${transition.to}`);
    }
  });
});

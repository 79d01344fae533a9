import assert from 'node:assert/strict';
import { cacheHitCheck, checksHeader, describeChecks, floorChecks, pathChecks, type PathFigures } from '../../bench/compare/targets';

const floor: PathFigures = { p50: 38, p99: 60, perSecond: 60, errors: 0, requestsPerJob: 7 };

describe('compare: the job path targets', () => {
  it('meets every target at the limits themselves', () => {
    const path: PathFigures = { p50: 48, p99: 90, perSecond: 51, errors: 0, requestsPerJob: 8 };
    assert.ok(pathChecks(path, floor).every((check) => check.met));
    assert.ok(floorChecks({ p50: 40, perSecond: 60 }).every((check) => check.met));
    assert.equal(cacheHitCheck(0.8).met, true);
  });

  it('names each missed target with its figure', () => {
    const path: PathFigures = { p50: 48.1, p99: 95, perSecond: 42, errors: 2, requestsPerJob: 11.3 };
    const checks = pathChecks(path, floor);
    assert.deepEqual(
      checks.map((check) => [check.met, check.figure]),
      [
        [false, '+10.1 ms'],
        [false, '+35.0 ms'],
        [false, '70 %'],
        [false, '11.3'],
        [false, '2'],
      ],
    );
    assert.match(describeChecks('following', checks), /^\| following \| \+10\.1 ms ✗ \|.*\| missed: p50 ≤ floor \+ 10 ms; p99 ≤ floor \+ 30 ms; ≥ 85 % of the floor; ≤ 8 requests per job; 0 errors \|$/);
  });

  it('says all met when nothing is missed, and reads a faster path than the floor as below it', () => {
    const checks = pathChecks({ p50: 33, p99: 50, perSecond: 75, errors: 0, requestsPerJob: 4 }, floor);
    assert.equal(checks[0]!.figure, '-5.0 ms');
    assert.equal(checks[2]!.figure, '125 %');
    assert.match(describeChecks('POST ?wait', checks), /\| all met \|$/);
  });

  it('heads the lines with the targets the checks name, one column each', () => {
    const [header, rule] = checksHeader(pathChecks(floor, floor)).split('\n');
    assert.equal(header, '| path | p50 ≤ floor + 10 ms | p99 ≤ floor + 30 ms | ≥ 85 % of the floor | ≤ 8 requests per job | 0 errors | |');
    assert.equal(rule, '| --- | --- | --- | --- | --- | --- | --- |');
  });

  it('checks the floor against its own targets', () => {
    assert.deepEqual(
      floorChecks({ p50: 41.2, perSecond: 52.9 }).map((check) => [check.met, check.figure]),
      [
        [false, 'p50 41.2 ms'],
        [false, '52.9/s at 50 clients'],
      ],
    );
    assert.equal(cacheHitCheck(0.77).figure, '77 % of live');
  });
});

import assert from 'node:assert/strict';
import { isIsoTimestampWithOffset, isNonEmptyText, isOneOf } from '../../shared/core/operation-mode/wire-checks';

describe('operation mode: wire checks', () => {
  it('accepts RFC 3339 timestamps with Z or an offset, seconds required', () => {
    for (const valid of ['2026-11-30T02:00:00Z', '2026-11-30T02:00:00.123Z', '2026-11-30T02:00:00+01:00', '2026-02-28T23:59:59-11:30']) {
      assert.equal(isIsoTimestampWithOffset(valid), true, valid);
    }
    for (const invalid of ['2026-11-30T02:00Z', '2026-11-30T02:00:00', '2026-11-30 02:00:00Z', '2026-13-01T00:00:00Z', '2026-11-30T24:00:00Z', 'tomorrow', 1764468000000, undefined]) {
      assert.equal(isIsoTimestampWithOffset(invalid), false, String(invalid));
    }
  });

  it('takes text with something besides whitespace as non-empty', () => {
    assert.equal(isNonEmptyText(' ops '), true);
    for (const empty of ['', '   ', undefined, 3, null]) assert.equal(isNonEmptyText(empty), false, String(empty));
  });

  it('matches members of a list exactly', () => {
    assert.equal(isOneOf(['NORMAL', 'DEGRADED'], 'NORMAL'), true);
    assert.equal(isOneOf(['NORMAL', 'DEGRADED'], 'normal'), false);
    assert.equal(isOneOf(['NORMAL'], ['NORMAL']), false);
  });
});

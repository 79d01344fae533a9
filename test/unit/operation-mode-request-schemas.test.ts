import assert from 'node:assert/strict';
import { clearOverrideSchema, overrideRequestSchema } from '../../api/routes/operation-mode';

describe('operation-mode request bodies', () => {
  it('limits the reason as sent (500 characters), before trimming it', () => {
    // The OpenAPI document says maxLength 500: a longer reason is refused even when trimming would make it fit.
    const padded = `\u00a0${'r'.repeat(500)}`;
    assert.equal(overrideRequestSchema.safeParse({ mode: 'MAINTENANCE', reason: padded }).success, false);
    assert.equal(clearOverrideSchema.safeParse({ reason: padded }).success, false);
    assert.equal(overrideRequestSchema.parse({ mode: 'MAINTENANCE', reason: '  planned upgrade  ' }).reason, 'planned upgrade');
    assert.equal(overrideRequestSchema.safeParse({ mode: 'MAINTENANCE', reason: '   ' }).success, false);
  });
});

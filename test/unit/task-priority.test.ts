import assert from 'node:assert/strict';
import { fairnessKeyOf, PRIORITY_KEYS, taskPriorityOf } from '../../shared/core/scheduling/task-priority';

describe('task priority of a request', () => {
  it('orders urgent before normal before background, normal at the server default (3)', () => {
    assert.ok(PRIORITY_KEYS.urgent < PRIORITY_KEYS.normal && PRIORITY_KEYS.normal < PRIORITY_KEYS.background);
    assert.equal(PRIORITY_KEYS.normal, 3);
    assert.ok(PRIORITY_KEYS.urgent >= 1 && PRIORITY_KEYS.background <= 5, 'inside the server default range 1..5');
  });

  it('uses the client id as fairness key, with weight 1 unless given', () => {
    assert.deepEqual(taskPriorityOf('background', 'key:1a2b3c4d'), { priorityKey: 5, fairnessKey: 'key:1a2b3c4d', fairnessWeight: 1 });
    assert.equal(taskPriorityOf('urgent', 'local', 2.5).fairnessWeight, 2.5);
  });

  it('keeps fairness keys within the 64 bytes the server accepts', () => {
    assert.equal(fairnessKeyOf('x'.repeat(100)).length, 64);
    assert.ok(new TextEncoder().encode(fairnessKeyOf('é'.repeat(40))).length <= 64);
    assert.equal(fairnessKeyOf(''), 'anonymous');
  });
});

import assert from 'node:assert/strict';
import {
  evaluateAllFlags,
  evaluateFlag,
  FEATURE_FLAGS,
  isFeatureEnabled,
  registerFeatureFlag,
  type KnownFeatureFlagName,
} from '../../shared/core/operation-mode/feature-flags';
import { isOperationMode, isSeverity, OPERATION_MODES, type OperationMode } from '../../shared/core/operation-mode/modes';

const EXPECTED_VALUES: Record<KnownFeatureFlagName, Record<OperationMode, boolean>> = {
  enable_document_analysis: { NORMAL: true, DEGRADED: true, EMERGENCY: false, MAINTENANCE: false },
  enable_advanced_llm_models: { NORMAL: true, DEGRADED: false, EMERGENCY: false, MAINTENANCE: false },
  enable_batch_analysis: { NORMAL: true, DEGRADED: true, EMERGENCY: false, MAINTENANCE: false },
  enable_remote_providers: { NORMAL: true, DEGRADED: true, EMERGENCY: true, MAINTENANCE: false },
};

describe('operation mode: modes and feature flags', () => {
  it('accepts exactly the four modes and three severities', () => {
    for (const mode of OPERATION_MODES) assert.equal(isOperationMode(mode), true);
    assert.equal(isOperationMode('normal'), false);
    assert.equal(isSeverity('warning'), true);
    assert.equal(isSeverity(3), false);
  });

  for (const mode of OPERATION_MODES) {
    it(`gives every flag its documented value in ${mode}`, () => {
      const evaluations = evaluateAllFlags({ mode });
      assert.deepEqual(Object.keys(evaluations).sort(), Object.keys(EXPECTED_VALUES).sort());
      for (const [name, values] of Object.entries(EXPECTED_VALUES)) {
        assert.equal(evaluations[name]?.value, values[mode], `${name} in ${mode}`);
        assert.equal(evaluations[name]?.mode, mode);
      }
    });
  }

  it('says MODE_VALUE when the mode has its own value and DEFAULT otherwise', () => {
    assert.deepEqual(evaluateFlag('enable_document_analysis', { mode: 'EMERGENCY' }), {
      flag: 'enable_document_analysis',
      value: false,
      reason: 'MODE_VALUE',
      mode: 'EMERGENCY',
    });
    assert.deepEqual(evaluateFlag('enable_document_analysis', { mode: 'DEGRADED' }), {
      flag: 'enable_document_analysis',
      value: true,
      reason: 'DEFAULT',
      mode: 'DEGRADED',
    });
  });

  it('falls back to each flag’s safe default with reason UNAVAILABLE when the mode is unknown', () => {
    const evaluations = evaluateAllFlags(undefined, 'operation-mode workflow unreachable');
    for (const [name, flag] of Object.entries(FEATURE_FLAGS)) {
      assert.deepEqual(evaluations[name], {
        flag: name,
        value: flag.safeDefault,
        reason: 'UNAVAILABLE',
        errorMessage: 'operation-mode workflow unreachable',
      });
    }
    assert.equal(evaluateFlag('enable_advanced_llm_models', undefined).value, false);
    assert.equal(evaluateFlag('enable_document_analysis', undefined).value, true);
  });

  it('turns an unknown flag off with reason UNKNOWN_FLAG instead of throwing', () => {
    for (const name of ['enable_time_travel', 'toString', '__proto__', '']) {
      const evaluation = evaluateFlag(name, { mode: 'NORMAL' });
      assert.equal(evaluation.value, false, name);
      assert.equal(evaluation.reason, 'UNKNOWN_FLAG');
      assert.match(evaluation.errorMessage ?? '', /no feature flag/);
    }
    assert.equal(isFeatureEnabled('enable_time_travel', { mode: 'NORMAL' }), false);
  });

  it('registers a flag in a new registry without changing the old one', () => {
    const registry = registerFeatureFlag(FEATURE_FLAGS, {
      name: 'enable_summaries',
      description: 'Summaries',
      defaultValue: false,
      modeValues: { NORMAL: true },
      safeDefault: false,
    });
    assert.equal(isFeatureEnabled('enable_summaries', { mode: 'NORMAL' }, registry), true);
    assert.equal(isFeatureEnabled('enable_summaries', { mode: 'DEGRADED' }, registry), false);
    assert.equal('enable_summaries' in FEATURE_FLAGS, false);
    assert.equal(Object.keys(evaluateAllFlags({ mode: 'NORMAL' }, undefined, registry)).length, Object.keys(FEATURE_FLAGS).length + 1);
  });
});

import type { ModelTier } from '../providers/catalog';
import { evaluateFlag } from './feature-flags';
import type { OperationMode } from './modes';

/**
 * The model tier a new job asks for. A known mode decides through `enable_advanced_llm_models`. An unknown
 * one (the mode workflow has not answered yet, as in the first seconds after a start, before a worker polls)
 * does not: the job asks for the advanced tier, and each provider attempt, which reads the mode again when
 * it runs, lowers it when the mode then says so or is still unknown (the flag's safe default).
 */
export function tierForNewJob(modeState: { mode: OperationMode } | undefined): ModelTier {
  if (!modeState) return 'advanced';
  return evaluateFlag('enable_advanced_llm_models', modeState).value ? 'advanced' : 'light';
}

import type { AnalysisCache } from '../shared/adapters/analysis-cache';
import type { AnalysisResult } from '../shared/core/analysis-result';

/**
 * Stores a step's answer where the job asked, inside the activity that produced it: the workflow needs
 * no local activity (and no extra round trip) to do it. A cache that cannot store never fails the step.
 */
export async function storeStepAnswer(cache: AnalysisCache, key: string | undefined, documentId: string, result: AnalysisResult): Promise<void> {
  if (key) await cache.write(key, documentId, result, []).catch(() => false);
}

export { analyzeDocument } from './analyze-document';
export { healthCheckWorkflow } from './health-check';
export { healthLoopWorkflow } from './health-loop';
export { operationModeWorkflow } from './operation-mode';
export { analyzeBatch } from './analyze-batch';
export { analyzeDeferredDocument } from './analyze-deferred-document';
export { analyzeDeferredBatch } from './analyze-deferred-batch';

/** The operation-mode workflow alone, bundled as the workers bundle it (encrypting failure converter), for tests that run it on a worker of their own. */
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ENCRYPTING_FAILURE_CONVERTER_PATH } from '../../shared/adapters/data-converter';

export const bundleOperationModeWorkflow = (): Promise<WorkflowBundleWithSourceMap> =>
  bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows/operation-mode'),
    failureConverterPath: ENCRYPTING_FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });

/**
 * Loaded by path (failureConverterPath), also inside the workflow sandbox: failure messages and stack
 * traces travel as an encoded payload, so the payload codec encrypts them like any other data.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

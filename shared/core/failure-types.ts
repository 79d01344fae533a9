/** Stable `ApplicationFailure.type` strings; the API maps them to HTTP status codes in one place. */
import { ApplicationFailure } from '@temporalio/common';

export const FAILURE_TYPES = {
  documentNotFound: 'DocumentNotFound',
  /** Every provider in the chain failed (only possible when LLM_PROVIDERS leaves `local` out). */
  allProvidersFailed: 'AllProvidersFailed',
  /** The operation mode (MAINTENANCE) has switched remote providers off: the job goes on with `local`. */
  remoteProvidersDisabled: 'RemoteProvidersDisabled',
  /** A provider batch answered an item with an error; the item takes the sync chain. */
  batchItemErrored: 'BatchItemErrored',
  /** A provider batch ended (or was cancelled after DEFERRED_MAX_WAIT_SECONDS) without answering an item. */
  batchItemExpired: 'BatchItemExpired',
  /** A provider batch could not be submitted, checked or read; its items take the sync chain. */
  batchFailed: 'BatchFailed',
} as const;

export type FailureType = (typeof FAILURE_TYPES)[keyof typeof FAILURE_TYPES];

/** The `type` of the innermost ApplicationFailure in a Temporal failure chain (activity → application). */
export function applicationFailureOf(error: unknown): ApplicationFailure | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth++) {
    if (current instanceof ApplicationFailure) return current;
    current = current.cause;
  }
  return undefined;
}

/** Stable `ApplicationFailure.type` strings; the API maps them to HTTP status codes in one place. */
import { ApplicationFailure } from '@temporalio/common';

export const FAILURE_TYPES = {
  documentNotFound: 'DocumentNotFound',
  /** Every provider in the chain failed (only possible when LLM_PROVIDERS leaves `local` out). */
  allProvidersFailed: 'AllProvidersFailed',
  /** The operation mode (MAINTENANCE) has switched remote providers off: the job goes on with `local`. */
  remoteProvidersDisabled: 'RemoteProvidersDisabled',
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

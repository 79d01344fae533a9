/**
 * Plain checks for wire data the operation-mode workflow receives. They stand in for schema-library
 * validation there because every module the workflow bundle imports is evaluated again for each workflow
 * run (the SDK's per-run module cache): a schema library's set-up cost would be paid by every job.
 */

export function isNonEmptyText(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

const HHMM = '(?:[01]\\d|2[0-3]):[0-5]\\d';
const DATE = '(?:\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01]))';
/** RFC 3339: seconds required, fraction optional, `Z` or a ±hh:mm offset. */
const ISO_TIMESTAMP_WITH_OFFSET = new RegExp(`^${DATE}T${HHMM}:[0-5]\\d(?:\\.\\d+)?(?:Z|[+-]${HHMM})$`);

export function isIsoTimestampWithOffset(value: unknown): value is string {
  return typeof value === 'string' && ISO_TIMESTAMP_WITH_OFFSET.test(value) && !Number.isNaN(Date.parse(value));
}

export function isOneOf<T extends string>(options: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (options as readonly string[]).includes(value);
}

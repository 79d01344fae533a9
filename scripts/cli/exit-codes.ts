export const EXIT_CODES = {
  ok: 0,
  jobFailed: 1,
  usage: 2,
  api: 3,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

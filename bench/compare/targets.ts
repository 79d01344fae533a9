/**
 * The job path's targets (issue 14), checked against one `compare` run's figures: the run says itself
 * which it met, instead of each reader working it out from the table. Figures only; nothing asserts.
 */

export const JOB_PATH_TARGETS = {
  floorP50Ms: 40,
  floorPerSecond: 60,
  p50OverFloorMs: 10,
  p99OverFloorMs: 30,
  shareOfFloor: 0.85,
  requestsPerJob: 8,
  cacheHitShareOfLive: 0.8,
} as const;

export interface PathFigures {
  p50: number;
  p99: number;
  /** Completed per second at 50 clients. */
  perSecond: number;
  errors: number;
  /** Temporal frontend requests per job. */
  requestsPerJob: number;
}

export interface TargetCheck {
  target: string;
  met: boolean;
  /** The figure the target was checked against, as printed. */
  figure: string;
}

const ms = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)} ms`;
const percent = (share: number) => `${(share * 100).toFixed(0)} %`;

export function floorChecks(floor: Pick<PathFigures, 'p50' | 'perSecond'>, targets = JOB_PATH_TARGETS): TargetCheck[] {
  return [
    { target: `floor p50 ≤ ${targets.floorP50Ms} ms`, met: floor.p50 <= targets.floorP50Ms, figure: `p50 ${floor.p50.toFixed(1)} ms` },
    { target: `floor ≥ ${targets.floorPerSecond}/s`, met: floor.perSecond >= targets.floorPerSecond, figure: `${floor.perSecond.toFixed(1)}/s at 50 clients` },
  ];
}

export function pathChecks(path: PathFigures, floor: PathFigures, targets = JOB_PATH_TARGETS): TargetCheck[] {
  const share = floor.perSecond > 0 ? path.perSecond / floor.perSecond : 0;
  return [
    { target: `p50 ≤ floor + ${targets.p50OverFloorMs} ms`, met: path.p50 - floor.p50 <= targets.p50OverFloorMs, figure: ms(path.p50 - floor.p50) },
    { target: `p99 ≤ floor + ${targets.p99OverFloorMs} ms`, met: path.p99 - floor.p99 <= targets.p99OverFloorMs, figure: ms(path.p99 - floor.p99) },
    { target: `≥ ${percent(targets.shareOfFloor)} of the floor`, met: share >= targets.shareOfFloor, figure: percent(share) },
    { target: `≤ ${targets.requestsPerJob} requests per job`, met: path.requestsPerJob <= targets.requestsPerJob, figure: path.requestsPerJob.toFixed(1) },
    { target: '0 errors', met: path.errors === 0, figure: String(path.errors) },
  ];
}

export function cacheHitCheck(shareOfLive: number, targets = JOB_PATH_TARGETS): TargetCheck {
  return { target: `cache hit ≥ ${percent(targets.cacheHitShareOfLive)} of /api/health/live`, met: shareOfLive >= targets.cacheHitShareOfLive, figure: `${percent(shareOfLive)} of live` };
}

/** The table header for describeChecks' lines, from the targets the checks name. */
export function checksHeader(checks: TargetCheck[]): string {
  return `| path | ${checks.map((check) => check.target).join(' | ')} | |\n|${' --- |'.repeat(checks.length + 2)}`;
}

/** One line per path: its figure for each target, marked when missed, and whether it met them all. */
export function describeChecks(name: string, checks: TargetCheck[]): string {
  const missed = checks.filter((check) => !check.met);
  const figures = checks.map((check) => `${check.figure}${check.met ? '' : ' ✗'}`).join(' | ');
  return `| ${name} | ${figures} | ${missed.length === 0 ? 'all met' : `missed: ${missed.map((check) => check.target).join('; ')}`} |`;
}

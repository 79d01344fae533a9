/**
 * Root hooks of `npm run test:faults`: one deployment shared by every scenario (started on first use),
 * the table of figures printed at the end, and every process stopped.
 */
import { startDeployment, type Deployment } from '../helpers/deployment';
import { tableHeader, tableRow, type ScenarioRow } from '../helpers/fault-figures';

/** Settings the scenarios rely on: fast provider retries, a breaker that closes again within seconds, no rate limits in the way. */
const FAULT_SUITE_ENV: NodeJS.ProcessEnv = {
  ANTHROPIC_TIMEOUT_SECONDS: '5',
  ANTHROPIC_RETRY_INITIAL_INTERVAL_SECONDS: '0.2',
  ANTHROPIC_RETRY_MAX_INTERVAL_SECONDS: '2',
  ANTHROPIC_CIRCUIT_BREAKER_RECOVERY_SECONDS: '2',
  ANTHROPIC_RATE_LIMIT: '1000000',
};

let deployment: Promise<Deployment> | undefined;
const rows: ScenarioRow[] = [];

export function getDeployment(): Promise<Deployment> {
  deployment ??= startDeployment({ workers: 2, env: FAULT_SUITE_ENV });
  return deployment;
}

export function recordRow(row: ScenarioRow): void {
  rows.push(row);
}

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(120_000);
    if (rows.length > 0) console.log(`\nFault suite figures:\n\n${tableHeader()}\n${rows.map(tableRow).join('\n')}\n`);
    await (await deployment?.catch(() => undefined))?.stop();
  },
};

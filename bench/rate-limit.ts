/**
 * `npm run bench -- rate-limit`: how much of a provider's configured rate limit the job path uses.
 * ANTHROPIC_RATE_LIMIT=60 (per minute) with two worker processes and 30 jobs submitted at once: the
 * emulator's request log tells how long the 30 provider requests took and how they spread over time.
 */
import { randomUUID } from 'node:crypto';
import { postJson } from './compare/paths';
import { startCompareStack } from './compare/stack';

const PER_MINUTE = 60;
const JOBS = 30;

export async function benchRateLimit(): Promise<void> {
  console.log(`provider rate limit ${PER_MINUTE}/min, 2 worker processes, ${JOBS} jobs submitted at once:`);
  await measure('CLI default dev server', false);
  await measure('tuned dev server      ', true);
}

async function measure(label: string, tuned: boolean): Promise<void> {
  const stack = await startCompareStack({ tuned, workers: 2, projectEnv: { ANTHROPIC_RATE_LIMIT: String(PER_MINUTE) } });
  try {
    const anthropic = stack.emulator.provider('anthropic');
    anthropic.reset();
    for (let i = 0; i < JOBS; i++) {
      const answer = await postJson(`${stack.apiUrl}/api/analyze`, { content: `Rate limit benchmark ${randomUUID()}. Acme hires in Lisbon.` });
      if (answer.status !== 202) throw new Error(`POST /api/analyze answered ${answer.status}`);
    }
    const log = await anthropic.waitForRequests(JOBS, 180_000);
    const first = log[0]!.at;
    const seconds = (log[JOBS - 1]!.at - first) / 1000;
    const perTenSeconds = Array.from({ length: Math.ceil(seconds / 10) || 1 }, (_, index) =>
      log.slice(0, JOBS).filter((record) => Math.floor((record.at - first) / 10_000) === index).length,
    );
    // After the first request, the limit allows one every 60/PER_MINUTE seconds: the ideal is (JOBS - 1) of them.
    const ideal = ((JOBS - 1) * 60) / PER_MINUTE;
    console.log(`  ${label}: ${JOBS} requests in ${seconds.toFixed(1)} s (ideal ${ideal} s: ${((ideal / seconds) * 100).toFixed(0)} % of the limit used); per 10 s: ${perTenSeconds.join(', ')}`);
  } finally {
    await stack.stop();
  }
}

/** The API's probes of its dependencies, each bounded in time and never throwing. */
import type { Client } from '@temporalio/client';
import type { AnalysisCache } from '../analysis-cache';
import type { AppConfig } from '../../config';
import { REMOTE_PROVIDERS } from '../../core/providers/catalog';
import type { DocumentStore } from '../documents/document-store';
import { providerGateKey, type GateStore } from '../gate-store';
import type { HealthCheck } from './health-report';
import { withTimeout } from '../with-timeout';

const PROBE_TIMEOUT_MS = 2_000;

export interface ProbeDeps {
  config: AppConfig;
  client: Client;
  documents: DocumentStore;
  cache: AnalysisCache;
  /** The workers' shared gate state (Redis); without Redis each worker keeps its own and the API cannot see it. */
  gates?: GateStore;
}

const check = (fields: Omit<HealthCheck, 'time'>): HealthCheck => ({ ...fields, time: new Date().toISOString() });

export async function probeTemporal({ client }: Pick<ProbeDeps, 'client'>): Promise<HealthCheck> {
  const started = performance.now();
  try {
    await client.connection.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () => client.workflowService.getSystemInfo({}));
    return check({ status: 'pass', critical: true, componentType: 'datastore', observedValue: Math.round(performance.now() - started), observedUnit: 'ms' });
  } catch (error) {
    return check({ status: 'fail', critical: true, componentType: 'datastore', output: `Temporal unreachable: ${(error as Error).message}` });
  }
}

export async function probeDocuments({ documents }: Pick<ProbeDeps, 'documents'>): Promise<HealthCheck> {
  const started = performance.now();
  try {
    await withTimeout(documents.ping(), PROBE_TIMEOUT_MS);
    return check({ status: 'pass', critical: true, componentType: 'datastore', observedValue: Math.round(performance.now() - started), observedUnit: 'ms' });
  } catch (error) {
    return check({ status: 'fail', critical: true, componentType: 'datastore', output: `document store: ${(error as Error).message}` });
  }
}

/** One check per cache tier with its counters; a disconnected Redis tier warns (the other tiers serve). */
export function probeCacheTiers({ cache }: Pick<ProbeDeps, 'cache'>): Record<string, HealthCheck[]> {
  const checks: Record<string, HealthCheck[]> = {};
  for (const [tier, stats] of Object.entries(cache.stats().tiers)) {
    const down = tier === 'redis' && stats?.connected === false;
    checks[`cache:${tier}`] = [
      check({ status: down ? 'warn' : 'pass', critical: false, componentType: 'datastore', observedValue: stats, ...(down && { output: 'Redis unreachable; serving from the other tiers' }) }),
    ];
  }
  return checks;
}

export async function probeProviderCircuits({ config, gates }: Pick<ProbeDeps, 'config' | 'gates'>): Promise<Record<string, HealthCheck[]>> {
  const checks: Record<string, HealthCheck[]> = {};
  for (const provider of config.providers.order.filter((name) => (REMOTE_PROVIDERS as readonly string[]).includes(name))) {
    if (!gates) {
      checks[`provider:${provider}:circuit`] = [check({ status: 'pass', critical: false, componentType: 'component', output: 'per worker process (no REDIS_URL): not visible here' })];
      continue;
    }
    const state = await gates.read(providerGateKey(config.temporal.taskQueue, provider));
    const open = state.breaker.state !== 'closed';
    checks[`provider:${provider}:circuit`] = [
      check({ status: open ? 'warn' : 'pass', critical: false, componentType: 'component', observedValue: state, ...(open && { output: `circuit ${state.breaker.state}` }) }),
    ];
  }
  return checks;
}

/** Every dependency this process can see, probed concurrently. */
export async function probeAll(deps: ProbeDeps): Promise<Record<string, HealthCheck[]>> {
  const [temporal, documents, circuits] = await Promise.all([probeTemporal(deps), probeDocuments(deps), probeProviderCircuits(deps)]);
  return {
    'temporal:connection': [temporal],
    [`documents:${deps.documents.kind}`]: [documents],
    ...probeCacheTiers(deps),
    ...circuits,
  };
}

import { Router } from 'express';
import { healthReport } from '../../shared/adapters/health/health-report';
import { probeAll, probeTemporal, type ProbeDeps } from '../../shared/adapters/health/probes';
import type { OperationModeClient } from '../../shared/adapters/operation-mode-client';
import { missingKeySightings } from '../../shared/adapters/payload-codec';
import { probePayloadKeys } from '../../shared/adapters/health/payload-keys-probe';

const HEALTH_JSON = 'application/health+json';
/** Modes in which this instance should be taken out of a load balancer's rotation. */
const NOT_READY_MODES = new Set(['EMERGENCY', 'MAINTENANCE']);

/** Liveness and readiness: for orchestrators, so no key is needed and nothing about dependencies leaks. */
export function probesRouter(deps: Pick<ProbeDeps, 'client'> & { modes: OperationModeClient }): Router {
  const router = Router();

  /** Liveness only: answers while the process runs, whatever its dependencies do. */
  router.get('/live', (_req, res) => {
    res.type(HEALTH_JSON).json({ status: 'pass', uptimeSeconds: Math.round(process.uptime()) });
  });

  router.get('/ready', async (_req, res) => {
    const [temporal, { view }] = await Promise.all([probeTemporal(deps), deps.modes.read()]);
    const problems = [
      ...(temporal.status === 'fail' ? ['Temporal unreachable'] : []),
      ...(view && NOT_READY_MODES.has(view.mode) ? [`operation mode ${view.mode}`] : []),
    ];
    res
      .status(problems.length ? 503 : 200)
      .type(HEALTH_JSON)
      .json({ status: problems.length ? 'fail' : 'pass', operationMode: view?.mode ?? null, ...(problems.length && { output: problems.join('; ') }) });
  });

  return router;
}

/** The full report, per component, with cache statistics and circuit states (behind the API key). */
export function healthRouter(deps: ProbeDeps & { modes: OperationModeClient }): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const [checks, { view, unavailable }, payloadKeys] = await Promise.all([
      probeAll(deps),
      deps.modes.read(),
      probePayloadKeys({ ...deps, sightings: missingKeySightings }),
    ]);
    // Only here, not in the workers' health report: a missing key must not lower the operation mode.
    const report = healthReport({ ...checks, 'payload-encryption:keys': [payloadKeys] }, {
      operationMode: view?.mode ?? null,
      ...(view && { modeSince: view.modeSince, degradationReasons: view.reasons }),
      ...(unavailable && { notes: [unavailable] }),
    });
    res.status(report.status === 'fail' ? 503 : 200).type(HEALTH_JSON).json(report);
  });
  return router;
}

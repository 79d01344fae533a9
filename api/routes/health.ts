import { Router } from 'express';
import { healthReport } from '../health/health-report';
import { probeCacheTiers, probeDocuments, probeProviderCircuits, probeTemporal, type ProbeDeps } from '../health/probes';

const HEALTH_JSON = 'application/health+json';

export function healthRouter(deps: ProbeDeps): Router {
  const router = Router();

  /** Liveness only: answers while the process runs, whatever its dependencies do. */
  router.get('/live', (_req, res) => {
    res.type(HEALTH_JSON).json({ status: 'pass', uptimeSeconds: Math.round(process.uptime()) });
  });

  router.get('/', async (_req, res) => {
    const [temporal, circuits] = await Promise.all([probeTemporal(deps), probeProviderCircuits(deps)]);
    const report = healthReport({
      'temporal:connection': [temporal],
      'documents:sqlite': [probeDocuments(deps)],
      ...probeCacheTiers(deps),
      ...circuits,
    });
    res.status(report.status === 'fail' ? 503 : 200).type(HEALTH_JSON).json(report);
  });

  return router;
}

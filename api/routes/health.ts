import { Router } from 'express';

/** Liveness only: answers while the process runs, whatever its dependencies do. */
export function healthRouter(): Router {
  const router = Router();
  router.get('/live', (_req, res) => {
    res.type('application/health+json').json({ status: 'pass', uptimeSeconds: Math.round(process.uptime()) });
  });
  return router;
}

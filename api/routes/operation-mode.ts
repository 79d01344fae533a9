import { Router, type Response } from 'express';
import { z } from 'zod';
import { OPERATION_MODES, SEVERITIES } from '../../shared/core/operation-mode/modes';
import { OperationModeRequestError, type OperationModeClient } from '../../shared/adapters/operation-mode-client';
import type { TemporalGuard } from '../../shared/adapters/temporal/temporal-guard';
import { TemporalUnavailableError } from '../../shared/adapters/temporal/temporal-unavailable';
import { TEMPORAL_RETRY_AFTER_SECONDS } from '../../shared/adapters/temporal-client';
import { HttpError, missingKeyError } from '../errors';
import { parseBody } from '../validation';

export const overrideRequestSchema = z
  .object({
    mode: z.enum(OPERATION_MODES),
    reason: z.string().max(500).trim().min(1, 'must not be empty'),
    severity: z.enum(SEVERITIES).optional(),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const clearOverrideSchema = z.object({ reason: z.string().max(500).trim().min(1).optional() }).strict();

/** Admin routes: who may call them is decided by the auth middleware in front. */
const modeUnavailable = (message: string) =>
  new HttpError(503, 'operation_mode_unavailable', message, undefined, { 'Retry-After': String(TEMPORAL_RETRY_AFTER_SECONDS) });

interface OperationModeRouterDeps {
  modes: OperationModeClient;
  actorOf: (res: Response) => string;
  temporal: TemporalGuard;
}

export function operationModeRouter({ modes, actorOf, temporal }: OperationModeRouterDeps): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const { view, unavailable, missingKeyId } = await modes.read();
    if (missingKeyId) throw missingKeyError(missingKeyId);
    if (!view) throw modeUnavailable(unavailable ?? 'operation mode unavailable');
    const state = await temporal.run(() => modes.state()).catch(() => undefined);
    res.json({ ...view, transitionCount: state?.transitionCount, audit: state?.audit ?? [] });
  });

  router.put('/', async (req, res) => {
    const body = parseBody(overrideRequestSchema, req);
    const result = await rejectingAsBadRequest(() => temporal.run(() => modes.setOverride({ ...body, actor: actorOf(res) })));
    res.json({ ...result, ...(await modes.read()).view });
  });

  router.delete('/override', async (req, res) => {
    const body = req.is('application/json') ? parseBody(clearOverrideSchema, req) : {};
    const result = await rejectingAsBadRequest(() => temporal.run(() => modes.clearOverride({ actor: actorOf(res), ...body })));
    res.json({ ...result, ...(await modes.read()).view });
  });

  return router;
}

async function rejectingAsBadRequest<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof OperationModeRequestError) {
      const first = error.problems[0] as { field?: string; path?: string } | undefined;
      throw new HttpError(400, 'invalid_override', error.message, first?.field ?? first?.path);
    }
    if (error instanceof TemporalUnavailableError) throw error;
    throw modeUnavailable(`operation mode unavailable: ${(error as Error).message}`);
  }
}

/**
 * Temporal's remote codec server protocol, so the Temporal UI and CLI can show encrypted payloads:
 * `POST /encode` and `POST /decode`, each `{payloads: [...]}` in and out. The UI calls it from the
 * browser, so it answers CORS for the configured UI origins; `X-Namespace` is accepted and ignored
 * (one key ring serves every namespace).
 */
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import type { PayloadCodec } from '@temporalio/common';
import { jsonPayloadsSchema, payloadFromJson, payloadToJson, UndecodablePayloadError } from '../../shared/adapters/payload-codec';
import { errorHandler, HttpError, validationError } from '../errors';

export type AuthDecision = true | { status: 401 | 403 | 404; code: string; message: string };

export interface CodecRouterDeps {
  codec: PayloadCodec;
  /** Runs before the body is read; preflight requests skip it (browsers send them without credentials). */
  authorize: (req: Request) => AuthDecision | Promise<AuthDecision>;
  /** Exact origins (scheme://host[:port]) of the Temporal UI allowed to call from a browser. */
  allowedOrigins: readonly string[];
  log?: (message: string) => void;
}

export const CODEC_BODY_LIMIT = '2mb';

export function codecRouter({ codec, authorize, allowedOrigins, log = console.error }: CodecRouterDeps): Router {
  // mergeParams: a mount path may carry a parameter the authorizer reads (the UI's token).
  const router = Router({ mergeParams: true });
  router.use(corsForOrigins(new Set(allowedOrigins)));
  router.use(async (req, _res, next) => {
    const decision = await authorize(req);
    next(decision === true ? undefined : new HttpError(decision.status, decision.code, decision.message));
  });
  // Its own parser with its own limit: this router may be mounted before the app's parser.
  router.use(express.json({ limit: CODEC_BODY_LIMIT }));

  router.post('/encode', async (req, res) => {
    res.json({ payloads: (await codec.encode(parsePayloads(req))).map(payloadToJson) });
  });

  router.post('/decode', async (req, res) => {
    const decoded = await codec.decode(parsePayloads(req)).catch((error: unknown) => {
      throw undecodable(error);
    });
    res.json({ payloads: decoded.map(payloadToJson) });
  });

  router.use(bodyErrorsAsBadRequest);
  router.use(errorHandler(log));
  return router;
}

function corsForOrigins(allowed: ReadonlySet<string>): RequestHandler {
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.get('Origin');
    if (origin !== undefined && allowed.has(origin)) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
      });
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
}

function parsePayloads(req: Request) {
  if (req.body === undefined) {
    throw new HttpError(400, 'invalid_request', 'request body must be JSON (Content-Type: application/json)');
  }
  const parsed = jsonPayloadsSchema.safeParse(req.body);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data.payloads.map(payloadFromJson);
}

/** Any codec may be plugged in, so only our own error's message is trusted to carry no secrets. */
function undecodable(error: unknown): HttpError {
  const message = error instanceof UndecodablePayloadError ? error.message : 'a payload could not be decoded';
  return new HttpError(422, 'undecodable_payload', message);
}

const BODY_ERROR_MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'request body is not valid JSON',
  'entity.too.large': `request body exceeds ${CODEC_BODY_LIMIT}`,
};

/** The protocol has one answer for every unreadable body (bad JSON, too large, bad encoding): 400. */
const bodyErrorsAsBadRequest: ErrorRequestHandler = (error, _req, _res, next) => {
  const type = (error as { type?: unknown } | null)?.type;
  const fromBodyParser = !(error instanceof HttpError) && typeof type === 'string';
  next(fromBodyParser ? new HttpError(400, 'invalid_request', BODY_ERROR_MESSAGES[type] ?? 'request body could not be read') : error);
};

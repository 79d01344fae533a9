/**
 * Bearer-token auth. API_KEYS are clients, ADMIN_API_KEYS may also change the operation mode. Keys are
 * compared in constant time over their SHA-256 digests (equal lengths, so timingSafeEqual never throws
 * and the comparison leaks neither content nor length). With no keys configured the API is open, which
 * is only allowed on a loopback address (see exposureProblem).
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { AppConfig } from '../shared/config';
import type { ClientKeyBudget } from '../shared/spend-config';
import type { BudgetLimit, OverBudgetAction } from '../shared/core/spend/budget';
import { HttpError } from './errors';

export interface Principal {
  /** A stable, non-secret name for logs, rate limits and audit entries ("key:1a2b3c4d"). */
  id: string;
  admin: boolean;
  /** The key's limits (API_KEYS `key;day=$5;…`) and what happens when they are spent. */
  budget?: { limits: BudgetLimit[]; overBudget: OverBudgetAction };
}

const digest = (value: string) => hash('sha256', value, 'buffer');
const principalIdOfDigest = (keyDigest: Buffer) => `key:${keyDigest.toString('hex').slice(0, 8)}`;
/** The non-secret name of a key: its budget ledgers' scope, its name in logs and audit entries. */
export const principalIdOf = (apiKey: string) => principalIdOfDigest(digest(apiKey));
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function exposureProblem(config: AppConfig): string | undefined {
  const { apiKeys, adminApiKeys } = config.security;
  if (apiKeys.length + adminApiKeys.length > 0 || LOOPBACK.test(config.api.host)) return undefined;
  return `HOST=${config.api.host} is not a loopback address and no API_KEYS/ADMIN_API_KEYS are set: refusing to serve an open API on the network`;
}

export class Authenticator {
  private readonly clients: Buffer[];
  private readonly admins: Buffer[];
  /** Budgets by the hex digest of their key. */
  private readonly budgets = new Map<string, Principal['budget']>();

  constructor(security: AppConfig['security'], budgets: ClientKeyBudget[] = []) {
    this.clients = security.apiKeys.map(digest);
    this.admins = security.adminApiKeys.map(digest);
    for (const entry of budgets) {
      if (entry.limits.length > 0) this.budgets.set(digest(entry.apiKey).toString('hex'), { limits: entry.limits, overBudget: entry.overBudget });
    }
  }

  get open(): boolean {
    return this.clients.length + this.admins.length === 0;
  }

  /** The caller, or an HttpError 401 for a missing or unknown key. */
  authenticate(authorization: string | undefined): Principal | HttpError {
    if (this.open) return { id: 'local', admin: true };
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) return new HttpError(401, 'unauthorized', 'missing bearer token (Authorization: Bearer <API key>)', undefined, { 'www-authenticate': 'Bearer' });
    const presented = digest(token);
    // Every key is compared, so the time taken does not reveal which list (if any) matched.
    const admin = this.admins.map((key) => timingSafeEqual(key, presented)).includes(true);
    const client = this.clients.map((key) => timingSafeEqual(key, presented)).includes(true);
    if (!admin && !client) return new HttpError(401, 'unauthorized', 'unknown API key', undefined, { 'www-authenticate': 'Bearer error="invalid_token"' });
    const budget = this.budgets.get(presented.toString('hex'));
    return { id: principalIdOfDigest(presented), admin, ...(budget && { budget }) };
  }

  /** Express middleware: sets `res.locals.principal`, or fails with 401 (403 for a client on an admin route). */
  require(level: 'client' | 'admin'): RequestHandler {
    return (req, res, next) => {
      const result = this.authenticate(req.headers.authorization);
      if (result instanceof HttpError) return next(result);
      if (level === 'admin' && !result.admin) return next(new HttpError(403, 'forbidden', 'this route needs an admin API key'));
      res.locals.principal = result;
      next();
    };
  }
}

export const principalOf = (res: { locals: Record<string, unknown> }): Principal | undefined => res.locals.principal as Principal | undefined;

/**
 * A documented path asked with a method it does not serve answers 405 with `Allow` (RFC 9110), not 404
 * or an auth error: the OpenAPI document's paths are the one list of what is served, so the two cannot drift.
 */
import type { RequestHandler } from 'express';
import { HttpError } from './errors';

interface DocumentedPath {
  pattern: RegExp;
  allow: string[];
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

/** `/api/jobs/{id}` → a pattern for one segment per parameter; Express also matches a trailing slash and any case. */
function patternOf(template: string): RegExp {
  const escaped = template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^/]+')}/?$`, 'i');
}

export function documentedPaths(paths: Record<string, Record<string, unknown>>): DocumentedPath[] {
  return Object.entries(paths).map(([template, item]) => {
    const methods = Object.keys(item).filter((key) => HTTP_METHODS.has(key)).map((method) => method.toUpperCase());
    // Express answers HEAD wherever it answers GET.
    return { pattern: patternOf(template), allow: methods.includes('GET') ? [...methods, 'HEAD'] : methods };
  });
}

export function methodNotAllowed(paths: Record<string, Record<string, unknown>>): RequestHandler {
  const documented = documentedPaths(paths);
  return (req, _res, next) => {
    const path = documented.find(({ pattern }) => pattern.test(req.path));
    // OPTIONS stays with whoever answers it: CORS preflights (the codec endpoint), Express's own Allow reply.
    if (!path || path.allow.includes(req.method) || req.method === 'OPTIONS') {
      next();
      return;
    }
    const allow = path.allow.join(', ');
    next(new HttpError(405, 'method_not_allowed', `${req.method} is not served on this path; allowed: ${allow}`, undefined, { Allow: allow }));
  };
}

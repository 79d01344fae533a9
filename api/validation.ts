import type { Request } from 'express';
import type { z } from 'zod';
import { HttpError, validationError } from './errors';
import { isJsonRequest } from './json-body';

export function parseBody<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  if (!isJsonRequest(req)) {
    throw new HttpError(415, 'unsupported_media_type', 'request body must be JSON (Content-Type: application/json)');
  }
  const parsed = schema.safeParse(req.body);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

export function parseParam(pattern: RegExp, value: string | undefined, name: string): string {
  if (value === undefined || !pattern.test(value)) {
    throw new HttpError(400, 'invalid_id', `${name} is not a valid id`, name);
  }
  return value;
}

/** Query strings: unknown parameters and bad values are 400s naming the parameter, like bodies. */
export function parseQuery<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  const parsed = schema.safeParse(req.query);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

import type { z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { describeZodError, HttpError } from '../middleware/errors.js';

export const JSON_TYPE = 'application/json';
export const URLENCODED_TYPE = 'application/x-www-form-urlencoded';
export const MULTIPART_TYPE = 'multipart/form-data';
export type BodyType = typeof JSON_TYPE | typeof URLENCODED_TYPE | typeof MULTIPART_TYPE;

const mediaType = (c: Context) => (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * One schema declared for each body encoding a route accepts (SEP-24 S24-03 / X-06: JSON, urlencoded and
 * multipart; SEP-10 S10-18: JSON and forms). @hono/zod-openapi validates the encoding that came with that schema;
 * read it with `validBody(c)`.
 */
export function bodyOf<S extends z.ZodType, const T extends readonly BodyType[]>(
  schema: S,
  types: T,
  description?: string,
) {
  const content = Object.fromEntries(types.map((type) => [type, { schema }])) as {
    [K in T[number]]: { schema: S };
  };
  return { required: false, ...(description ? { description } : {}), content };
}

/**
 * Runs before the validators: an encoding the route does not take answers `unsupported` (each SEP has its own
 * status and words); JSON that does not parse is a 400 naming the problem; a request with no body at all is
 * validated as `{}`, so a missing required field is reported by the schema as for any other encoding.
 */
export function acceptBodies(
  schema: z.ZodType,
  types: readonly BodyType[],
  unsupported: { status: 400 | 415; message: string },
): MiddlewareHandler {
  return async (c, next) => {
    const type = mediaType(c);
    if (type === '') {
      if ((await c.req.text()).trim() !== '') throw new HttpError(unsupported.status, unsupported.message);
      const empty = schema.safeParse({});
      if (!empty.success) throw new HttpError(400, describeZodError(empty.error));
      return next();
    }
    if (!types.includes(type as BodyType)) {
      throw new HttpError(unsupported.status, unsupported.message, 'unsupported_media_type');
    }
    if (type === JSON_TYPE) {
      let parsed: unknown;
      try {
        parsed = await c.req.json();
      } catch {
        throw new HttpError(400, 'request body is not valid JSON');
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new HttpError(400, 'request body must be a JSON object');
      }
    }
    return next();
  };
}

/** The validated body of a route declared with `bodyOf()`, whichever encoding it came in. */
export function validBody<T>(c: {
  req: { header(name: string): string | undefined; valid(target: never): unknown };
}): T {
  const valid = c.req.valid as (target: 'json' | 'form') => T | undefined;
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  const body = (type === JSON_TYPE ? valid.call(c.req, 'json') : valid.call(c.req, 'form')) ?? ({} as T);
  // The body's `lang` also chooses the language of any error this request answers with.
  const lang = (body as { lang?: unknown }).lang;
  if (typeof lang === 'string' && 'set' in c)
    (c as unknown as { set(k: string, v: string): void }).set('lang', lang);
  return body;
}

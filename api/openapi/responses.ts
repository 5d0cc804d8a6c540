import { z } from '@hono/zod-openapi';

/** Every error of every SEP surface: `{"error": "..."}`. */
export const errorBody = z.object({ error: z.string() }).openapi('Error');

export const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const errorResponse = (description: string) => json(errorBody, description);

/** A non-JSON answer (HTML page, TOML, CSV, image): described by its media type. */
export const media = (type: string, description: string, format?: 'binary') => ({
  description,
  content: { [type]: { schema: z.string().openapi(format ? { format } : {}) } },
});

export const html = (description: string) => media('text/html', description);

/** A redirect to the next step of a hosted flow. */
export const seeOther = (description: string) => ({
  description,
  headers: { Location: { schema: { type: 'string' as const } } },
});

/** Security requirements, named after the components registered in api/openapi/index.ts. */
export const sep10Security = [{ sep10: [] }];
export const adminSecurity = [{ adminKey: [] }];

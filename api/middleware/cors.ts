import { cors } from 'hono/cors';

/**
 * CORS for every SEP surface (checklist, S1-02): `*` on every response, errors included,
 * and preflight for every method a wallet uses with the Authorization header.
 */
export const sepCors = () =>
  cors({
    origin: '*',
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Accept', 'Accept-Language', 'X-Request-Id'],
    exposeHeaders: ['X-Request-Id'],
    maxAge: 86_400,
  });

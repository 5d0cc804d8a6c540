import type { MiddlewareHandler } from 'hono';
import type { AppConfig } from '../../config/index.js';
import { type Sep10Identity, verifyToken } from '../sep10/jwt.js';
import { HttpError } from './errors.js';

export type AuthEnv = { Variables: { requestId: string; identity: Sep10Identity } };

/**
 * Which SEP's failure shape to answer with (checklist X-09): SEP-24 and SEP-6 say 403
 * `{"type":"authentication_required"}`; SEP-12 says 401; SEP-38 says 403 `{"error"}` (S38-01).
 */
export type AuthFailureStyle = 'sep24' | 'sep12' | 'sep38';

function failure(style: AuthFailureStyle, reason: string): HttpError {
  if (style === 'sep24') {
    return new HttpError(403, reason, 'authentication_required', { type: 'authentication_required' });
  }
  if (style === 'sep38') return new HttpError(403, reason, 'authentication_required', { error: reason });
  return new HttpError(401, reason, 'authentication_required', { error: reason });
}

/** Requires `Authorization: Bearer <SEP-10 JWT>` and puts the identity on `c.get('identity')`. */
export function requireSep10(config: AppConfig, style: AuthFailureStyle): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header('Authorization');
    if (!header) throw failure(style, 'authentication required: send Authorization: Bearer <SEP-10 token>');
    // The scheme name is case-insensitive (RFC 7235); the token is three base64url parts.
    const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)\s*$/i.exec(header);
    if (!match) throw failure(style, 'malformed Authorization header: expected "Bearer <token>"');
    try {
      c.set('identity', await verifyToken(config, match[1]!));
    } catch {
      throw failure(style, 'invalid or expired token');
    }
    await next();
  };
}

import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import type { Logger } from '../../config/logger.js';

/**
 * An error with an HTTP status and the exact SEP body to send. Handlers throw it; the one onError below turns
 * it (and anything else) into a response. `code` is stable for callers and tests; the message is for humans.
 */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly code = 'bad_request',
    readonly body?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, code = 'bad_request') => new HttpError(400, message, code);
export const notFound = (message = 'not found') => new HttpError(404, message, 'not_found');

/**
 * Formats zod issues as one readable sentence naming each bad field. Our own messages are predicates
 * ("is required", "must be ...") and read `field is required`; zod's built-in ones read `field: Invalid ...`.
 */
export function describeZodError(err: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): string {
  return err.issues
    .map((i) => {
      const field = i.path.map(String).join('.');
      if (!field) return i.message;
      return /^(is|must|cannot|should|does) /.test(i.message)
        ? `${field} ${i.message}`
        : `${field}: ${i.message}`;
    })
    .join('; ');
}

/** The single error handler (STYLE 10): SEP error shape, request id, no stack or secret in the body. */
export function errorHandler(logger: Logger) {
  return (err: Error, c: Context) => {
    const requestId = c.get('requestId') as string | undefined;
    if (err instanceof HttpError) {
      if (err.status >= 500) logger.error({ requestId, err }, err.message);
      return c.json(err.body ?? { error: err.message }, err.status);
    }
    if (err instanceof ZodError) {
      return c.json({ error: describeZodError(err) }, 400);
    }
    // Hono's own HTTPException (e.g. body too large) keeps its status.
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return c.json({ error: err.message || 'bad request' }, status as ContentfulStatusCode);
    }
    logger.error(
      { requestId, err: { message: err.message, name: err.name, stack: err.stack } },
      'unhandled error',
    );
    return c.json({ error: `internal server error (request id ${requestId ?? 'unknown'})` }, 500);
  };
}

import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import type { Logger } from '../../config/logger.js';

/**
 * The sandbox bank's own error contract (`{"error": "..."}` with the status; `code` is for its own callers), as a PSP's API has
 * its own: it simulates a system outside the anchor, so it does not borrow the anchor API's error handler.
 */
export class BankApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly code = 'bad_request',
  ) {
    super(message);
    this.name = 'BankApiError';
  }
}

export function bankErrorHandler(logger: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof BankApiError) return c.json({ error: err.message }, err.status);
    if (err instanceof ZodError) {
      const message = err.issues.map((i) =>
        i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message,
      );
      return c.json({ error: message.join('; ') }, 400);
    }
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return c.json({ error: err.message || 'bad request' }, status as ContentfulStatusCode);
    }
    logger.error({ err: { message: err.message, name: err.name, stack: err.stack } }, 'sandbox bank error');
    return c.json({ error: 'internal server error' }, 500);
  };
}

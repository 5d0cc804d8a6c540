import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import type { Logger } from '../../config/logger.js';
import { apiErrorEnglish, apiErrorText, type LocalizedError } from '../../core/i18n/api-errors.js';
import type { Params } from '../../core/i18n/index.js';
import { negotiateLang } from '../../core/i18n/index.js';

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
    /** When set, the `error` text is this catalog entry in the caller's language. */
    readonly localized?: LocalizedError,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** An error whose text comes from the API catalog (core/i18n/api-errors.ts); `message` is its English. */
export function apiError(
  status: ContentfulStatusCode,
  key: LocalizedError['key'],
  params?: Params,
  code = 'bad_request',
): HttpError {
  const localized = params ? { key, params } : { key };
  return new HttpError(status, apiErrorEnglish(localized), code, undefined, localized);
}

/**
 * The language of a request's API messages: `lang` of the query or of the body (a handler that read the body
 * put it on the context), else Accept-Language, else English.
 */
export function requestLang(c: Context): string {
  const bodyLang = c.get('lang' as never) as unknown;
  return negotiateLang({
    lang: c.req.query('lang') ?? (typeof bodyLang === 'string' ? bodyLang : undefined),
    acceptLanguage: c.req.header('Accept-Language'),
  });
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

/** A request that failed its schema: the fields named, in the caller's language around zod's own words. */
export function invalidRequest(err: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): HttpError {
  const fields = [...new Set(err.issues.map((i) => i.path.map(String).join('.')).filter(Boolean))];
  const detail = describeZodError(err);
  return fields.length > 0
    ? apiError(400, 'api.invalid_fields', { fields: fields.join(', '), detail })
    : apiError(400, 'api.invalid_request', { detail });
}

/** The single error handler (STYLE 10): SEP error shape, request id, no stack or secret in the body. */
export function errorHandler(logger: Logger) {
  return (err: Error, c: Context) => {
    const requestId = c.get('requestId') as string | undefined;
    if (err instanceof HttpError) {
      if (err.status >= 500) logger.error({ requestId, err }, err.message);
      const message = err.localized
        ? apiErrorText(requestLang(c)).t(err.localized.key, err.localized.params)
        : err.message;
      return c.json(err.body ?? { error: message }, err.status);
    }
    if (err instanceof ZodError) {
      const invalid = invalidRequest(err);
      const message = invalid.localized
        ? apiErrorText(requestLang(c)).t(invalid.localized.key, invalid.localized.params)
        : invalid.message;
      return c.json({ error: message }, 400);
    }
    if (isBackendUnavailable(err)) {
      // Postgres restarting or out of reach: nothing was decided, so the caller may simply ask again.
      logger.warn({ requestId, err: { message: err.message, code: errorCode(err) } }, 'backend unavailable');
      c.header('Retry-After', String(RETRY_AFTER_SECONDS));
      return c.json(
        { error: apiErrorText(requestLang(c)).t('api.unavailable', { seconds: RETRY_AFTER_SECONDS }) },
        503,
      );
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

/** What a 503 asks the caller to wait: about the time a Postgres restart or fail-over takes. */
const RETRY_AFTER_SECONDS = 5;

/** Postgres SQLSTATEs that mean "not now" rather than "wrong": shutdown, starting up, too many connections. */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
/** Socket errors on the way to a backend. */
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
/** node-postgres' own words when a connection drops or the pool cannot connect in time. */
const UNAVAILABLE_PG_MESSAGES =
  /^(Connection terminated( unexpectedly| due to connection timeout)?|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable)$/;

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Whether a request failed because a backend (Postgres, or a peer behind a socket) is briefly out of reach — a 503 with Retry-After, not a
 * 500: the request itself was fine and left nothing behind (every write is one transaction). Looks through
 * `cause` and AggregateError (a connect to several addresses) for the first such error.
 */
export function isBackendUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const code = errorCode(err);
  if (code && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code))) return true;
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string' && UNAVAILABLE_PG_MESSAGES.test(message)) return true;
  const nested = [
    (err as { cause?: unknown }).cause,
    ...(Array.isArray((err as { errors?: unknown }).errors) ? (err as { errors: unknown[] }).errors : []),
  ];
  return nested.some((e) => isBackendUnavailable(e, depth + 1));
}

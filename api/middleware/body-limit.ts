import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppConfig } from '../../config/index.js';
import { SEP12_PATH, SEP24_PATH } from '../paths.js';

/**
 * One request-body limit per route class, applied at the edge: before any parser and before any auth, so an
 * unauthenticated 50 MB body costs us at most the class limit (issue 15 row 2). A declared Content-Length over
 * the limit is refused without reading a byte; a chunked body is counted as it arrives and refused as soon as
 * it passes the limit. Per-route limits further in (SEP-10, bank webhook, SEP-12) stay as a second line.
 */
export type BodyClass = 'webhook' | 'page' | 'api' | 'upload';
export type BodyLimits = Record<BodyClass, number>;

export function bodyLimitsFor(config: AppConfig): BodyLimits {
  return {
    // Provider and bank events are small JSON documents.
    webhook: 256 * 1024,
    // Hosted-page forms without documents (amount, bank details, confirm).
    page: 64 * 1024,
    // SEP-10, SEP-12 JSON, SEP-24 POSTs.
    api: 128 * 1024,
    // The multipart KYC routes: several documents of at most KYC_UPLOAD_MAX_BYTES each, as sep12App allows.
    upload: config.kyc.uploadMaxBytes * 8 + 1024 * 1024,
  };
}

/** Routes whose multipart bodies may carry KYC documents: the SEP-12 API and the hosted KYC forms. */
const UPLOAD_ROUTES = [
  /^\/kyc\/customer(\/files)?$/,
  /^\/kyc\/interactive\/?$/,
  /^\/sep24\/interactive\/(deposit|withdraw)\/kyc$/,
];

export function bodyClassOf(path: string, contentType: string | undefined): BodyClass {
  if (path.startsWith('/webhooks/')) return 'webhook';
  const multipart = (contentType ?? '').toLowerCase().startsWith('multipart/form-data');
  if (multipart && UPLOAD_ROUTES.some((r) => r.test(path))) return 'upload';
  if (path.startsWith(`${SEP24_PATH}/interactive`) || path.startsWith(`${SEP12_PATH}/interactive`))
    return 'page';
  return 'api';
}

const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True when the request announced a body (which a 4xx may leave unread on the socket). */
const announcesBody = (headers: Headers) =>
  headers.has('transfer-encoding') || Number(headers.get('content-length') ?? '0') > 0;

/**
 * Mounted once in createApp before every sub-app. A 413, and a 400 on a request with a body, answer with
 * `Connection: close` (row 5): the rest of the body is never read, so the socket cannot be reused, and saying
 * so lets the client open a new one instead of sending its next request into a socket we are closing.
 */
export function limitRequestBodies(limits: BodyLimits): MiddlewareHandler {
  const limiters = Object.fromEntries(
    (Object.keys(limits) as BodyClass[]).map((cls) => [
      cls,
      bodyLimit({
        maxSize: limits[cls],
        onError: (c) =>
          c.json({ error: `request body larger than ${limits[cls]} bytes` }, 413, { Connection: 'close' }),
      }),
    ]),
  ) as Record<BodyClass, MiddlewareHandler>;
  return async (c, next) => {
    if (BODYLESS.has(c.req.method)) return next();
    const limiter = limiters[bodyClassOf(c.req.path, c.req.header('Content-Type'))];
    const hadBody = announcesBody(c.req.raw.headers);
    const res = await limiter(c, next);
    if (res) {
      lingerBeforeClosing(c);
      return res;
    }
    if (c.res.status === 413 || (c.res.status === 400 && hadBody)) {
      c.header('Connection', 'close');
      lingerBeforeClosing(c);
    }
  };
}

/** After a refusal the client may still be sending: this much more is read (and dropped) before the reset. */
const LINGER_MS = 500;
const LINGER_BYTES = 1024 * 1024;
const lingering = new WeakSet<Socket>();

/**
 * A lingering close, as nginx does it: Node answers `Connection: close` by destroying the socket right after
 * the answer, and a client still uploading then gets a reset that can swallow the answer it had not read yet.
 * Instead the write side is closed (FIN after the answer) and what the client still sends is dropped for at
 * most LINGER_MS or LINGER_BYTES; then the socket is destroyed. Memory stays flat: nothing is buffered.
 */
function lingerBeforeClosing(c: Context): void {
  const socket = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket;
  if (!socket || lingering.has(socket)) return;
  lingering.add(socket);
  socket.destroySoon = () => {
    socket.end();
    const start = socket.bytesRead;
    const stop = () => {
      clearInterval(watch);
      socket.destroy();
    };
    const watch = setInterval(() => {
      if (socket.bytesRead - start > LINGER_BYTES) stop();
    }, 20);
    watch.unref();
    setTimeout(stop, LINGER_MS).unref();
    socket.once('close', () => clearInterval(watch));
    socket.resume();
  };
}

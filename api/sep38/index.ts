import { createRoute } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { QuoteError } from '../../core/quotes/errors.js';
import type { RateProvider } from '../../core/quotes/rates.js';
import { createQuoteService } from '../../core/quotes/service.js';
import type { ApiDeps } from '../deps.js';
import { type AuthEnv, requireSep10 } from '../middleware/auth.js';
import { badRequest, notFound } from '../middleware/errors.js';
import { createRouter } from '../openapi/hono.js';
import { json } from '../openapi/responses.js';
import {
  infoBody,
  priceBody,
  priceQuery,
  pricesBody,
  pricesQuery,
  quoteBody,
  quoteParams,
  quoteRequest,
} from './schemas.js';

/**
 * ANCHOR_QUOTE_SERVER (mounted at SEP38_PATH): /info, /prices, /price without auth (S38-01: optional, and
 * nothing here is personalised), POST /quote and GET /quote/:id behind SEP-10. Every failure is 400 or 403
 * `{"error"}`; the pricing rules are core/quotes.
 */

const errors = {
  400: { description: 'invalid request `{"error"}`' },
};
const authErrors = { ...errors, 403: { description: 'no, bad or expired SEP-10 token `{"error"}`' } };

/** A QuoteError is the client's mistake: 400 with its message (S38-01). */
async function quoting<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof QuoteError) throw badRequest(err.message, err.code);
    throw err;
  }
}

/** POST /quote takes JSON only (S38-01); anything else is refused before the schema reads it. */
const jsonOnly: MiddlewareHandler = async (c, next) => {
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw badRequest('send the quote request as application/json');
  await next();
};

export function sep38App(deps: ApiDeps, opts: { rates?: RateProvider } = {}) {
  const { config, db } = deps;
  const quotes = createQuoteService(config, opts.rates);
  const app = createRouter<AuthEnv>();
  const auth = requireSep10(config, 'sep38');
  const info = quotes.info();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/info',
      tags: ['SEP-38'],
      summary: 'Assets offered for quotes and their delivery methods (S38-03)',
      responses: { 200: json(infoBody, 'the assets') },
    }),
    (c) => c.json(info, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/prices',
      tags: ['SEP-38'],
      summary: 'Indicative prices of every asset the given one trades against (S38-04)',
      request: { query: pricesQuery },
      responses: { 200: json(pricesBody, 'buy_assets or sell_assets'), ...errors },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const body = await quoting(() =>
        quotes.prices({
          sellAsset: q.sell_asset,
          sellAmount: q.sell_amount,
          buyAsset: q.buy_asset,
          buyAmount: q.buy_amount,
          sellDeliveryMethod: q.sell_delivery_method,
          buyDeliveryMethod: q.buy_delivery_method,
        }),
      );
      return c.json(body, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/price',
      tags: ['SEP-38'],
      summary: 'Indicative price of one trade (S38-05, S38-06)',
      request: { query: priceQuery },
      responses: { 200: json(priceBody, 'the price'), ...errors },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const body = await quoting(() =>
        quotes.price({
          sellAsset: q.sell_asset,
          buyAsset: q.buy_asset,
          sellAmount: q.sell_amount,
          buyAmount: q.buy_amount,
          sellDeliveryMethod: q.sell_delivery_method,
          buyDeliveryMethod: q.buy_delivery_method,
          context: q.context,
        }),
      );
      return c.json(body, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/quote',
      tags: ['SEP-38'],
      summary: 'A firm quote, held for the caller until expires_at (S38-07)',
      security: [{ sep10: [] }],
      // Auth before the body (S38-15): an anonymous caller learns nothing about what it sent.
      middleware: [auth, jsonOnly] as const,
      request: { body: { required: true, content: { 'application/json': { schema: quoteRequest } } } },
      responses: { 201: json(quoteBody, 'the quote'), ...authErrors },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const quote = await quoting(() =>
        quotes.createQuote(db, c.get('identity').sub, {
          sellAsset: b.sell_asset,
          buyAsset: b.buy_asset,
          sellAmount: b.sell_amount,
          buyAmount: b.buy_amount,
          sellDeliveryMethod: b.sell_delivery_method,
          buyDeliveryMethod: b.buy_delivery_method,
          context: b.context,
          expireAfter: b.expire_after,
        }),
      );
      deps.logger.info({ quoteId: quote.id, context: b.context }, 'quote issued');
      return c.json(quote, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/quote/{id}',
      tags: ['SEP-38'],
      summary: 'A firm quote by id, also after it expired (S38-08)',
      security: [{ sep10: [] }],
      middleware: [auth] as const,
      request: { params: quoteParams },
      responses: {
        200: json(quoteBody, 'the quote'),
        ...authErrors,
        404: { description: 'no such quote for this account `{"error"}`' },
      },
    }),
    async (c) => {
      const quote = await quotes.getQuote(db, c.get('identity').sub, c.req.valid('param').id);
      if (!quote) throw notFound('quote not found');
      return c.json(quote, 200);
    },
  );
  return app;
}

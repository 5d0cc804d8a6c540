import { timingSafeEqual } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Logger } from '../../config/logger.js';
import { positiveAmountSchema } from '../../stellar/money.js';
import { BankApiError, bankErrorHandler } from './errors.js';
import { bankPage } from './page.js';
import {
  type BankStore,
  IdempotencyConflictError,
  InvalidCursorError,
  payoutJson,
  transferJson,
} from './store.js';
import type { WebhookSender } from './webhooks.js';

export interface SandboxBankDeps {
  store: BankStore;
  sender: WebhookSender;
  apiKey: string;
  /** How long a payout stays pending before its tester-driven outcome applies. */
  payoutSettleMs: number;
  /** Settles a new payout when its time comes and sends its `payout.updated` webhook (server.ts); unset: lazily. */
  settleAt?: (idempotencyKey: string, inMs: number) => void;
  logger: Logger;
}

const accountNumber = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9]{4,34}$/, 'must be 4-34 letters or digits (IBAN or account number)');

export const transferInput = z.object({
  reference: z.string().trim().max(140).default(''),
  amount: positiveAmountSchema,
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code')
    .default('USD'),
  from_account: accountNumber,
  from_name: z.string().trim().max(70).optional(),
  to_account: accountNumber.optional(),
  user_id: z.string().trim().max(140).optional(),
});
export type TransferInput = z.input<typeof transferInput>;

const payoutInput = z.object({
  amount: positiveAmountSchema,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
  account_number: accountNumber,
  account_name: z.string().trim().min(1).max(70),
  reference: z.string().trim().max(140).optional(),
});

const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,255}$/, 'Idempotency-Key must be 1-255 letters, digits or _.:-');

function requireApiKey(apiKey: string): MiddlewareHandler {
  const expected = Buffer.from(`Bearer ${apiKey}`);
  return async (c, next) => {
    const given = Buffer.from(c.req.header('Authorization') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new BankApiError(
        401,
        'invalid API key: send Authorization: Bearer <BANK_API_KEY>',
        'unauthorized',
      );
    }
    await next();
  };
}

async function jsonBody(c: { req: { json(): Promise<unknown> } }): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new BankApiError(400, 'body must be JSON');
  }
}

/**
 * The send form's prefill from `?reference=&amount=&currency=` (the hosted deposit page links here with them).
 * Only trimmed and length-capped: the page escapes every value and POST /send validates what is sent.
 */
function formPrefill(q: Record<string, string | undefined>) {
  const text = (v: string | undefined, max: number) => (v ?? '').trim().slice(0, max);
  const currency = text(q.currency, 8).toUpperCase();
  return {
    reference: text(q.reference, 140),
    amount: text(q.amount, 40),
    currency: /^[A-Z]{3}$/.test(currency) ? currency : 'USD',
  };
}

/** The sandbox bank's HTTP surface: a customer web page, the PSP API (Bearer key) and nothing else. */
export function createSandboxBankApp(deps: SandboxBankDeps) {
  const { store } = deps;
  const app = new Hono();

  app.get('/', async (c) => {
    const [transfers, payouts, accounts] = await Promise.all([
      store.recentTransfers(),
      store.recentPayouts(),
      store.recentVirtualAccounts(),
    ]);
    return c.html(
      bankPage({
        transfers,
        payouts,
        accounts,
        anchorAccount: store.anchorAccount,
        sent: c.req.query('sent'),
        error: c.req.query('error'),
        prefill: formPrefill(c.req.query()),
      }),
    );
  });

  // The customer's own online banking: no API key, like a real customer's bank would not need ours.
  app.post('/send', async (c) => {
    const form = await c.req.parseBody();
    const strip = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
    const parsed = transferInput.safeParse({
      reference: strip(form.reference),
      amount: strip(form.amount),
      currency: strip(form.currency),
      from_account: strip(form.from_account),
      from_name: strip(form.from_name),
      to_account: strip(form.to_account),
      user_id: strip(form.user_id),
    });
    if (!parsed.success) {
      const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      return c.redirect(`/?error=${encodeURIComponent(msg)}`, 303);
    }
    const { transfer } = await createTransfer(parsed.data);
    return c.redirect(`/?sent=${transfer.id}`, 303);
  });

  async function createTransfer(input: z.output<typeof transferInput>) {
    // The booking claims its own webhook in the same transaction and it leaves right after the commit, with no
    // database round trip in between (a burst of bookings holds the pool); the timer pass is the fallback.
    const leaseMs = deps.sender.bookingLeaseMs();
    const created = await store.createTransfer(
      {
        reference: input.reference,
        amount: input.amount,
        currency: input.currency,
        fromAccount: input.from_account,
        fromName: input.from_name ?? null,
        toAccount: input.to_account ?? store.anchorAccount,
        userId: input.user_id ?? null,
      },
      leaseMs,
    );
    if (leaseMs !== null) deps.sender.deliverBooked(created.delivery);
    // Deliver right away rather than on the next timer tick; failures are retried by the sender.
    else void deps.sender.deliverDue().catch(() => {});
    deps.logger.info({ transferId: created.transfer.id }, 'incoming transfer booked');
    return created;
  }

  const api = new Hono();
  api.use('*', requireApiKey(deps.apiKey));

  api.post('/transfers', async (c) => {
    const input = transferInput.parse(await jsonBody(c));
    const { transfer } = await createTransfer(input);
    return c.json(transferJson(transfer), 201);
  });

  api.get('/transfers', async (c) => {
    const limit = z.coerce.number().int().min(1).max(100).default(50).parse(c.req.query('limit'));
    try {
      const page = await store.listTransfers(c.req.query('cursor') || undefined, limit);
      return c.json({
        transfers: page.transfers.map(transferJson),
        next_cursor: page.nextCursor,
        has_more: page.hasMore,
      });
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new BankApiError(400, err.message, err.code);
      throw err;
    }
  });

  api.post('/payouts', async (c) => {
    const keyParsed = idempotencyKey.safeParse(c.req.header('Idempotency-Key'));
    if (!keyParsed.success)
      throw new BankApiError(400, 'Idempotency-Key header is required (1-255 characters)');
    const input = payoutInput.parse(await jsonBody(c));
    try {
      const { payout, replayed } = await store.createPayout(
        {
          idempotencyKey: keyParsed.data,
          reference: input.reference ?? null,
          amount: input.amount,
          currency: input.currency,
          accountNumber: input.account_number,
          accountName: input.account_name,
        },
        deps.payoutSettleMs,
      );
      if (replayed) c.header('Idempotent-Replayed', 'true');
      else deps.settleAt?.(payout.idempotency_key, deps.payoutSettleMs);
      return c.json(payoutJson(payout), replayed ? 200 : 201);
    } catch (err) {
      if (err instanceof IdempotencyConflictError) throw new BankApiError(409, err.message, err.code);
      throw err;
    }
  });

  api.get('/payouts/:key', async (c) => {
    const key = c.req.param('key');
    if ((await store.settleDuePayouts(key)) > 0) void deps.sender.deliverDue().catch(() => {});
    const payout = await store.payoutByKey(key);
    if (!payout) throw new BankApiError(404, 'no payout with that Idempotency-Key', 'not_found');
    return c.json(payoutJson(payout));
  });

  api.post('/virtual-accounts', async (c) => {
    const { customer_ref } = z
      .object({ customer_ref: z.string().trim().min(1).max(200) })
      .parse(await jsonBody(c));
    const account = await store.assignVirtualAccount(customer_ref);
    return c.json({ account_number: account.account_number, customer_ref: account.customer_ref });
  });

  app.route('/api', api);
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError(bankErrorHandler(deps.logger));
  return app;
}

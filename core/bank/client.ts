import { z } from 'zod';
import type { AppConfig } from '../../config/index.js';
import type { IncomingBankTransfer } from '../../db/bank.js';
import { amountSchema } from '../../stellar/money.js';

/**
 * The anchor's client of its bank's API (the sandbox bank speaks the same protocol): incoming transfers by
 * cursor, payouts with an Idempotency-Key, virtual accounts. Every call carries `Authorization: Bearer <key>`.
 */

/** A transfer as the bank reports it, in webhooks and in the polling list. */
export const bankTransferWire = z.object({
  id: z.string().min(1).max(200),
  reference: z.string().max(500).default(''),
  amount: amountSchema,
  currency: z.string().min(3).max(8),
  from_account: z.string().min(1).max(100),
  from_name: z.string().max(200).nullish(),
  to_account: z.string().max(100).nullish(),
  user_id: z.string().max(200).nullish(),
  booked_at: z.iso.datetime({ offset: true }),
});
export type BankTransferWire = z.infer<typeof bankTransferWire>;

const transferPageWire = z.object({
  transfers: z.array(bankTransferWire),
  next_cursor: z.string().nullable(),
  has_more: z.boolean(),
});

export const bankPayoutWire = z.object({
  id: z.string(),
  idempotency_key: z.string(),
  amount: amountSchema,
  currency: z.string(),
  status: z.enum(['pending', 'completed', 'failed']),
  failure_reason: z.string().nullable(),
});
export type BankPayoutWire = z.infer<typeof bankPayoutWire>;

/** A webhook event: `transfer.received` carries a transfer, `payout.updated` a payout. */
export const bankEventWire = z.object({
  id: z.string().min(1).max(200),
  type: z.string(),
  created: z.number().int(),
  data: z.object({ transfer: bankTransferWire.optional(), payout: bankPayoutWire.optional() }).optional(),
});

export function toIncomingTransfer(t: BankTransferWire, eventId?: string): IncomingBankTransfer {
  return {
    id: t.id,
    eventId: eventId ?? null,
    reference: t.reference,
    amount: t.amount,
    currency: t.currency,
    fromAccount: t.from_account,
    fromName: t.from_name ?? null,
    toAccount: t.to_account ?? null,
    userId: t.user_id ?? null,
    bookedAt: new Date(t.booked_at),
  };
}

/** A non-2xx answer. 4xx other than 408/409/429 means the request itself is wrong: retrying will not help. */
export class BankApiError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'BankApiError';
    this.retryable = status >= 500 || status === 408 || status === 429;
  }
}

export interface PayoutRequest {
  amount: string;
  currency: string;
  accountNumber: string;
  accountName: string;
  reference: string;
}

export interface BankClient {
  listTransfers(
    cursor: string | undefined,
    limit: number,
  ): Promise<{ transfers: BankTransferWire[]; nextCursor: string | null; hasMore: boolean }>;
  createPayout(idempotencyKey: string, req: PayoutRequest): Promise<BankPayoutWire>;
  /** undefined when the bank has no payout under that key. */
  getPayout(idempotencyKey: string): Promise<BankPayoutWire | undefined>;
  assignVirtualAccount(customerRef: string): Promise<string>;
}

export function createBankClient(bank: AppConfig['bank'], doFetch: typeof fetch = fetch): BankClient {
  async function call(
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const res = await doFetch(`${bank.apiUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${bank.apiKey}`,
        Accept: 'application/json',
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const detail = (json as { error?: unknown } | undefined)?.error;
      throw new BankApiError(
        res.status,
        `bank ${method} ${path.split('?')[0]}: HTTP ${res.status}${typeof detail === 'string' ? ` ${detail}` : ''}`,
      );
    }
    return json;
  }

  return {
    async listTransfers(cursor, limit) {
      const q = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
      const page = transferPageWire.parse(await call('GET', `/api/transfers?${q}`));
      return { transfers: page.transfers, nextCursor: page.next_cursor, hasMore: page.has_more };
    },
    async createPayout(idempotencyKey, req) {
      return bankPayoutWire.parse(
        await call('POST', '/api/payouts', {
          headers: { 'Idempotency-Key': idempotencyKey },
          body: {
            amount: req.amount,
            currency: req.currency,
            account_number: req.accountNumber,
            account_name: req.accountName,
            reference: req.reference,
          },
        }),
      );
    },
    async getPayout(idempotencyKey) {
      try {
        return bankPayoutWire.parse(await call('GET', `/api/payouts/${encodeURIComponent(idempotencyKey)}`));
      } catch (err) {
        if (err instanceof BankApiError && err.status === 404) return undefined;
        throw err;
      }
    },
    async assignVirtualAccount(customerRef) {
      const body = z
        .object({ account_number: z.string() })
        .parse(await call('POST', '/api/virtual-accounts', { body: { customer_ref: customerRef } }));
      return body.account_number;
    },
  };
}

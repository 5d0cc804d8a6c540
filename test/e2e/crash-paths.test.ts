import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, until } from './stack/index.js';
import {
  assetBalance,
  completeWithdrawPages,
  formatFixed7,
  fundUsers,
  getTransaction,
  parseAmount,
  payWithdrawal,
  sep10Token,
  startInteractive,
  waitForStatus,
  walletUser,
} from './stack/wallet.js';

/**
 * Issue 15: the crash tests beside crash-withdrawals.test.ts, aimed at the paths a random kill rarely hits. The
 * worker is SIGKILLed
 *   - while three withdrawals wait for an operator (one is left to its approval SLA, whose default rejects; one
 *     is approved; one rejected): the SLA timer still fires, the approval still works;
 *   - while the refund of the rejected one is in flight (its envelope stored): refunded exactly once;
 *   - while the refund after a failed bank payout is in flight: refunded exactly once.
 * And the API is SIGKILLed while a SEP-12 callback is failing: the callback arrives after it, once per status.
 * Every balance is exact to the stroop.
 */
const START_BALANCE = '200';
const ADMIN_KEY = randomBytes(24).toString('hex');
/** The sandbox bank fails payouts to accounts ending in 0000 (sandbox/bank/store.ts). */
const FAILING_IBAN = 'ES6821000418450200050000';
const FEE = '0.5';

describe('crash: approval SLA, payout failure and refund paths; API restart with callbacks pending (issue 15)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      workers: 1,
      env: {
        WITHDRAW_APPROVAL_THRESHOLD: '50',
        WITHDRAW_APPROVAL_SLA_SECONDS: '60',
        WITHDRAW_APPROVAL_SLA_DEFAULT: 'reject',
        SEP24_WITHDRAW_FEE_FIXED: FEE,
        ADMIN_API_KEYS: `ops:transactions:read,transactions:write:${createHash('sha256').update(ADMIN_KEY).digest('hex')}`,
      },
    });
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const underReview = (id: string) =>
    until(
      async () => {
        const row = await stack.db
          .selectFrom('withdrawal_details')
          .select('approval_reasons')
          .where('transaction_id', '=', id)
          .executeTakeFirst();
        const tx = await stack.db
          .selectFrom('transactions')
          .select('message')
          .where('id', '=', id)
          .executeTakeFirst();
        return row?.approval_reasons && tx?.message ? true : undefined;
      },
      120_000,
      `withdrawal ${id} to be under review`,
    );
  const decide = async (id: string, decision: 'approve' | 'reject') => {
    const res = await fetch(`${stack.publicUrl}/admin/withdrawals/${id}/decision`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ decision, reason: 'crash test' }),
    });
    expect(res.status, await res.text()).toBe(202);
  };
  /** The refund's envelope is stored: the refund activity is running (or done) — the moment to kill. */
  const refundInFlight = (id: string) =>
    until(
      async () =>
        (
          await stack.query<{ ref: string }>('select ref from stellar_payments where ref = $1', [
            `refund-${id}`,
          ])
        ).length > 0,
      120_000,
      `the refund of ${id} to start`,
    );
  const crash = async (label: string) => {
    await stack.killWorker(0, 'SIGKILL');
    console.log(`[crash-paths] SIGKILL: ${label}`);
    await stack.restartWorker(0);
  };
  const refundsTo = async (account: string) => {
    const page = await stack.horizon.payments().forAccount(account).limit(200).call();
    const distribution = stack.config.stellar.distributionAccount;
    return page.records.filter(
      (p) => p.type === 'payment' && 'from' in p && p.from === distribution && p.to === account,
    ) as unknown as { amount: string }[];
  };

  it('the SLA fires, approval works and each refund happens once across worker kills (S24-14, S24-33)', async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => walletUser(stack)));
    await fundUsers(stack, users, START_BALANCE);
    const [slaUser, approveUser, rejectUser, failUser] = users as [Keypair, Keypair, Keypair, Keypair];
    const start = async (user: Keypair, amount: string, iban?: string) => {
      const jwt = await sep10Token(stack, stack.publicUrl, user);
      const { id, url } = await startInteractive(
        stack.publicUrl,
        jwt,
        'withdraw',
        stack.config.stellar.assetCode,
      );
      await completeWithdrawPages(url, amount, iban);
      const ready = await waitForStatus(stack.publicUrl, jwt, id, ['pending_user_transfer_start'], 120_000);
      await payWithdrawal(stack, user, ready);
      return { user, jwt, id, amount };
    };

    // Payout failure: the bank rejects the payout, the refund is in flight when the worker dies.
    const failed = await start(failUser, '20.5', FAILING_IBAN);
    await refundInFlight(failed.id);
    await crash('refund after a failed payout in flight');

    // Three above the threshold wait for an operator; the worker dies while they wait.
    const [sla, approved, rejected] = await Promise.all([
      start(slaUser, '60.25'),
      start(approveUser, '70.5'),
      start(rejectUser, '80.25'),
    ]);
    await Promise.all([underReview(sla.id), underReview(approved.id), underReview(rejected.id)]);
    const reviewStarted = Date.now();
    await crash('three withdrawals waiting for approval');
    await decide(approved.id, 'approve');
    await decide(rejected.id, 'reject');
    await refundInFlight(rejected.id);
    await crash('refund of a rejected withdrawal in flight');

    const final = async (w: { jwt: string; id: string }) =>
      (await waitForStatus(stack.publicUrl, w.jwt, w.id, ['completed', 'refunded', 'error'], 180_000)).status;
    expect(await final(failed)).toBe('refunded');
    expect(await final(approved)).toBe('completed');
    expect(await final(rejected)).toBe('refunded');
    expect(await final(sla)).toBe('refunded');
    expect(Date.now() - reviewStarted).toBeGreaterThanOrEqual(50_000); // it waited for the SLA, not less

    const payouts = await stack.query<{ idempotency_key: string; amount: string; status: string }>(
      'select idempotency_key, amount::text as amount, status from sandbox_bank.payouts',
    );
    const payoutsOf = (id: string) => payouts.filter((p) => p.idempotency_key === `payout-${id}`);
    expect(payoutsOf(approved.id).map((p) => p.status)).toEqual(['completed']);
    expect(parseAmount(payoutsOf(approved.id)[0]!.amount)).toBe(parseAmount('70.5') - parseAmount(FEE));
    expect(payoutsOf(failed.id).map((p) => p.status)).toEqual(['failed']);
    expect(payoutsOf(sla.id)).toEqual([]);
    expect(payoutsOf(rejected.id)).toEqual([]);

    for (const w of [failed, sla, rejected]) {
      const refunds = await refundsTo(w.user.publicKey());
      expect(
        refunds.map((r) => parseAmount(r.amount)),
        `one refund for ${w.id}`,
      ).toEqual([parseAmount(w.amount)]);
      expect(formatFixed7(await assetBalance(stack, w.user.publicKey()))).toBe(
        formatFixed7(parseAmount(START_BALANCE)),
      );
      const tx = await getTransaction(stack.publicUrl, w.jwt, w.id);
      expect((tx.refunds as { amount_refunded: string }).amount_refunded).toBe(w.amount);
    }
    expect(await refundsTo(approveUser.publicKey())).toEqual([]);
    expect(formatFixed7(await assetBalance(stack, approveUser.publicKey()))).toBe(
      formatFixed7(parseAmount(START_BALANCE) - parseAmount('70.5')),
    );
    const alerts = await stack.db.selectFrom('alerts').select(['kind', 'transaction_id']).execute();
    expect(alerts).toContainEqual({ kind: 'withdraw_approval_sla', transaction_id: sla.id });
    expect(alerts.filter((a) => a.kind === 'withdraw_approval_sla')).toHaveLength(1);
  }, 480_000);

  it('a SEP-12 callback failing while the API is killed and restarted arrives after it, once per status (S12-23..25)', async () => {
    let up = false;
    let refused = 0;
    const acknowledged: string[] = [];
    const wallet: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (!up) {
          refused++;
          res.statusCode = 503;
          res.end();
          return;
        }
        acknowledged.push((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status: string }).status);
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => wallet.listen(0, '127.0.0.1', () => resolve()));
    const callbackUrl = `http://127.0.0.1:${(wallet.address() as AddressInfo).port}/kyc-callback`;
    try {
      const user = Keypair.random();
      const jwt = await sep10Token(stack, stack.publicUrl, user);
      const put = (path: string, body: unknown) =>
        fetch(`${stack.publicUrl}${path}`, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
      // A customer with part of tier 1 (nothing to check yet), its callback, then the rest: the check starts.
      expect((await put('/kyc/customer', { first_name: 'Jane' })).status).toBe(202);
      expect((await put('/kyc/customer/callback', { url: callbackUrl })).status).toBe(200);
      expect(
        (await put('/kyc/customer', { last_name: 'Doe', email_address: 'jane@example.com' })).status,
      ).toBe(202);
      // The sandbox provider approves within 100 ms; the wallet refuses the callbacks.
      await until(() => refused >= 1, 60_000, 'a refused callback');
      await stack.restartApi!(0);
      up = true;
      await until(
        () => acknowledged.includes('ACCEPTED'),
        120_000,
        'the ACCEPTED callback after the restart',
      );
      const counts = new Map<string, number>();
      for (const s of acknowledged) counts.set(s, (counts.get(s) ?? 0) + 1);
      expect(
        [...counts.values()].every((n) => n === 1),
        JSON.stringify(acknowledged),
      ).toBe(true);
    } finally {
      await new Promise<void>((resolve) => wallet.close(() => resolve()));
    }
  }, 240_000);
});

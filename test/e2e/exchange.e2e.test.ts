import { Asset, type Keypair, Memo, Operation } from '@stellar/stellar-sdk';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnchorStack, bankTransfer, startAnchorStack } from '../helpers/anchor-stack.js';
import { waitFor } from '../helpers/bank.js';
import { launchChromium, VIEWPORTS, withPage } from '../helpers/browser.js';

/**
 * Quotes in transfers, end to end on the real pieces (#14 items 3 and 4): a firm SEP-38 quote, the transfer that
 * uses it (SEP-6 `-exchange`, SEP-24 with `quote_id`), BRL received at the sandbox bank, USDC paid on the
 * sandbox ledger at the quoted price; the conversion without a quote priced when the funds arrive; and a quote
 * that expired before the funds came (refunded, the configured rule).
 */
describe('exchange transfers: SEP-38 quotes in SEP-6 and SEP-24 (sandbox bank in BRL, sandbox ledger)', () => {
  let stack: AnchorStack;
  let stellarAsset: string;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startAnchorStack({
      prefix: 'e2exch',
      env: {
        SEP38_ENABLED: 'true',
        SEP38_MID_RATES: 'iso4217:USD=1,iso4217:BRL=5.4',
        SEP38_SPREAD_PERCENT: '1',
        SEP38_QUOTE_TTL_SECONDS: '600',
        SEP24_DEPOSIT_FEE_FIXED: '0.5',
        OBSERVER_POLL_INTERVAL_MS: '200',
      },
      observers: true,
    });
    stellarAsset = `stellar:${stack.config.stellar.assetCode}:${stack.config.stellar.issuerAccount}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const sep6 = (jwt: string, path: string, query: Record<string, string>) =>
    stack.call(`/sep6${path}?${new URLSearchParams(query)}`, { jwt });

  async function firmQuote(
    jwt: string,
    body: Record<string, string>,
  ): Promise<Record<string, unknown> & { id: string; fee: Record<string, unknown> }> {
    const res = await stack.call('/sep38/quote', { jwt, method: 'POST', body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as Record<string, unknown> & { id: string; fee: Record<string, unknown> };
  }

  function waitForTx(
    jwt: string,
    front: 'sep6' | 'sep24',
    id: string,
    statuses: string[],
    timeoutMs = 60_000,
  ) {
    return waitFor(
      async () => {
        const r = await stack.call(`/${front}/transaction?id=${id}`, { jwt });
        const tx = r.body.transaction as Record<string, unknown> | undefined;
        return tx && statuses.includes(String(tx.status)) ? tx : undefined;
      },
      timeoutMs,
      `${front} transaction ${id} to reach ${statuses.join('|')}`,
    );
  }

  const referenceOf = (body: Record<string, unknown>) =>
    (body.instructions as Record<string, { value: string }>)['organization.external_transfer_memo']!.value;

  it('S6-08, S6-09, S38-07: SEP-6 deposit-exchange with a firm quote: 540 BRL at the bank, the quoted USDC on Stellar, the quote’s amounts and fee', async () => {
    const user = await stack.walletUser();
    const jwt = await stack.token(user);
    const quote = await firmQuote(jwt, {
      sell_asset: 'iso4217:BRL',
      buy_asset: stellarAsset,
      sell_amount: '540',
      context: 'sep6',
    });
    const res = await sep6(jwt, '/deposit-exchange', {
      destination_asset: 'USDC',
      source_asset: 'iso4217:BRL',
      amount: '540',
      quote_id: quote.id,
      account: user.publicKey(),
      funding_method: 'bank_transfer',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const id = String(res.body.id);
    const started = await waitForTx(jwt, 'sep6', id, ['pending_user_transfer_start']);
    expect(started).toMatchObject({
      kind: 'deposit-exchange',
      quote_id: quote.id,
      amount_in_asset: 'iso4217:BRL',
    });
    expect(Number(started.amount_in)).toBe(Number(quote.sell_amount));

    await bankTransfer(stack.bank.url, referenceOf(res.body), '540', 'BRL');
    const done = await waitForTx(jwt, 'sep6', id, ['completed']);
    expect(done).toMatchObject({
      kind: 'deposit-exchange',
      quote_id: quote.id,
      amount_in_asset: 'iso4217:BRL',
      amount_out_asset: stellarAsset,
      amount_fee_asset: 'iso4217:BRL',
      fee_details: { total: quote.fee.total, asset: 'iso4217:BRL' },
    });
    expect(Number(done.amount_in)).toBe(540);
    expect(Number(done.amount_out)).toBe(Number(quote.buy_amount));
    expect(Number(done.amount_fee)).toBe(Number(quote.fee.total));
    // 540 BRL less the 1 % spread (5.40) at 5.4 BRL per USDC: 99 USDC, exactly.
    expect(quote.buy_amount).toMatch(/^99(\.0+)?$/);
    expect(await stack.balanceOf(user.publicKey())).toBe('99.0000000');

    // S6-10: the exchange kind filters, and the quote cannot pay for a second transfer.
    const listed = await sep6(jwt, '/transactions', { asset_code: 'USDC', kind: 'deposit-exchange' });
    expect((listed.body.transactions as { id: string }[]).map((t) => t.id)).toEqual([id]);
    const plain = await sep6(jwt, '/transactions', { asset_code: 'USDC', kind: 'deposit' });
    expect(plain.body.transactions).toEqual([]);
    const again = await sep6(jwt, '/deposit-exchange', {
      destination_asset: 'USDC',
      source_asset: 'iso4217:BRL',
      amount: '540',
      quote_id: quote.id,
      funding_method: 'bank_transfer',
    });
    expect(again.status).toBe(400);
    expect(String(again.body.error)).toMatch(/already used/);
  });

  it('S6-08: SEP-6 deposit-exchange without a quote is priced when the BRL arrives, at the /price of that moment', async () => {
    const user = await stack.walletUser();
    const jwt = await stack.token(user);
    const res = await sep6(jwt, '/deposit-exchange', {
      destination_asset: 'USDC',
      source_asset: 'iso4217:BRL',
      amount: '270',
      funding_method: 'bank_transfer',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const id = String(res.body.id);
    const waiting = await waitForTx(jwt, 'sep6', id, ['pending_user_transfer_start']);
    expect(waiting).toMatchObject({
      kind: 'deposit-exchange',
      amount_out: null,
      amount_in_asset: 'iso4217:BRL',
    });
    expect(waiting.quote_id).toBeUndefined();

    const price = await stack.call(
      `/sep38/price?${new URLSearchParams({ sell_asset: 'iso4217:BRL', buy_asset: stellarAsset, sell_amount: '270', context: 'sep6' })}`,
      { jwt },
    );
    expect(price.status).toBe(200);
    await bankTransfer(stack.bank.url, referenceOf(res.body), '270', 'BRL');
    const done = await waitForTx(jwt, 'sep6', id, ['completed']);
    expect(Number(done.amount_out)).toBe(Number(price.body.buy_amount));
    expect(done.fee_details).toMatchObject({
      total: (price.body.fee as { total: string }).total,
      asset: 'iso4217:BRL',
    });
    expect(await stack.balanceOf(user.publicKey())).toBe('49.5000000'); // (270 − 2.70) / 5.4
  });

  it('S24-10, S24-27: SEP-24 deposit with a quote: the hosted page shows the quote, BRL at the bank, completed with the quote’s fee_details', async () => {
    const user = await stack.walletUser();
    const jwt = await stack.token(user);
    const quote = await firmQuote(jwt, {
      sell_asset: 'iso4217:BRL',
      buy_asset: stellarAsset,
      buy_amount: '20',
      context: 'sep24',
    });
    const res = await stack.call('/sep24/transactions/deposit/interactive', {
      jwt,
      method: 'POST',
      body: {
        asset_code: 'USDC',
        quote_id: quote.id,
        source_asset: 'iso4217:BRL',
        amount: String(quote.sell_amount),
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { url, id } = res.body as { url: string; id: string };

    const reference = await withPage(browser, VIEWPORTS[0], async (page) => {
      await page.goto(url);
      const summary = page.locator('#quote');
      await summary.waitFor();
      expect(await page.locator('#amount-out').textContent()).toMatch(/20[.,]00/);
      expect(await page.locator('#amount-in').textContent()).toContain('BRL');
      await page.getByRole('button').click();
      await page.locator('#instructions').waitFor();
      expect(await page.locator('#amount-in').textContent()).toContain('BRL');
      return ((await page.locator('#bank-reference').textContent()) ?? '').trim();
    });

    await bankTransfer(stack.bank.url, reference, String(quote.sell_amount), 'BRL');
    const done = await waitForTx(jwt, 'sep24', id, ['completed']);
    expect(done).toMatchObject({
      kind: 'deposit',
      quote_id: quote.id,
      amount_in_asset: 'iso4217:BRL',
      amount_out: '20',
      fee_details: { total: quote.fee.total, asset: 'iso4217:BRL' },
    });
    expect(await stack.balanceOf(user.publicKey())).toBe('20.0000000');
  });

  async function payWithdrawal(user: Keypair, tx: Record<string, unknown>, amount: string) {
    return stack.submit(
      user,
      [
        Operation.payment({
          destination: String(tx.withdraw_anchor_account),
          asset: new Asset(stack.config.stellar.assetCode, stack.config.stellar.issuerAccount),
          amount,
        }),
      ],
      Memo.id(String(tx.withdraw_memo)),
    );
  }

  const payoutsOf = async (id: string) =>
    (await stack.bank.store.recentPayouts(200)).filter((p) => p.idempotency_key === `payout-${id}`);

  it('S6-08, S6-09: SEP-6 withdrawal-exchange with a firm quote: 50 USDC on Stellar, the quoted BRL paid out once by the bank', async () => {
    const user = await stack.walletUser({ balance: '100' });
    const jwt = await stack.token(user);
    const quote = await firmQuote(jwt, {
      sell_asset: stellarAsset,
      buy_asset: 'iso4217:BRL',
      sell_amount: '50',
      context: 'sep6',
    });
    const res = await sep6(jwt, '/withdraw-exchange', {
      source_asset: 'USDC',
      destination_asset: 'iso4217:BRL',
      amount: '50',
      quote_id: quote.id,
      funding_method: 'bank_transfer',
      dest: 'BR1800360305000010009795493C1',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const id = String(res.body.id);
    const ready = await waitForTx(jwt, 'sep6', id, ['pending_user_transfer_start']);
    expect(ready).toMatchObject({
      kind: 'withdrawal-exchange',
      quote_id: quote.id,
      amount_in_asset: stellarAsset,
      amount_out_asset: 'iso4217:BRL',
    });
    expect(Number(ready.amount_out)).toBe(Number(quote.buy_amount));

    const paid = await payWithdrawal(user, ready, '50');
    const done = await waitForTx(jwt, 'sep6', id, ['completed'], 90_000);
    expect(done).toMatchObject({
      kind: 'withdrawal-exchange',
      stellar_transaction_id: paid.hash,
      amount_fee_asset: stellarAsset,
      fee_details: { total: quote.fee.total, asset: stellarAsset },
    });
    expect(Number(done.amount_out)).toBe(Number(quote.buy_amount));
    // 50 USDC less the 1 % spread (0.5) at 5.4 BRL per USDC: 267.30 BRL.
    expect(Number(quote.buy_amount)).toBe(267.3);
    expect(await stack.balanceOf(user.publicKey())).toBe('50.0000000');
    const payouts = await payoutsOf(id);
    expect(payouts).toHaveLength(1);
    expect(payouts[0]).toMatchObject({ currency: 'BRL', status: 'completed' });
    expect(Number(payouts[0]!.amount)).toBe(267.3);
  }, 120_000);

  it('S6-08: SEP-6 withdrawal-exchange without a quote: the payment is priced when it arrives and paid out in BRL', async () => {
    const user = await stack.walletUser({ balance: '100' });
    const jwt = await stack.token(user);
    const res = await sep6(jwt, '/withdraw-exchange', {
      source_asset: 'USDC',
      destination_asset: 'iso4217:BRL',
      amount: '20',
      funding_method: 'bank_transfer',
      dest: 'BR1800360305000010009795493C1',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const id = String(res.body.id);
    const ready = await waitForTx(jwt, 'sep6', id, ['pending_user_transfer_start']);
    expect(ready).toMatchObject({ kind: 'withdrawal-exchange', amount_in: '20', amount_out: null });
    await payWithdrawal(user, ready, '20');
    const done = await waitForTx(jwt, 'sep6', id, ['completed'], 90_000);
    // (20 − 0.2) × 5.4 = 106.92 BRL
    expect(Number(done.amount_out)).toBe(106.92);
    expect(done.fee_details).toMatchObject({ total: '0.2', asset: stellarAsset });
    const payouts = await payoutsOf(id);
    expect(payouts.map((p) => [p.currency, Number(p.amount)])).toEqual([['BRL', 106.92]]);
  }, 120_000);

  it('S24-15: SEP-24 withdrawal with a quote: the form keeps the quoted amount, the confirmation shows the BRL payout', async () => {
    const user = await stack.walletUser({ balance: '100' });
    const jwt = await stack.token(user);
    const quote = await firmQuote(jwt, {
      sell_asset: stellarAsset,
      buy_asset: 'iso4217:BRL',
      sell_amount: '10',
      context: 'sep24',
    });
    const res = await stack.call('/sep24/transactions/withdraw/interactive', {
      jwt,
      method: 'POST',
      body: { asset_code: 'USDC', quote_id: quote.id, destination_asset: 'iso4217:BRL', amount: '10' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { url, id } = res.body as { url: string; id: string };
    await withPage(browser, VIEWPORTS[1], async (page) => {
      await page.goto(url);
      await page.locator('#amount').fill('99');
      await page.locator('#holder').fill('Ana Souza');
      await page.locator('#account').fill('BR1800360305000010009795493C1');
      await page
        .getByRole('button', { name: /continue|next|submit/i })
        .first()
        .click();
      await page.locator('#you-receive').waitFor();
      expect(await page.locator('#you-send').textContent()).toMatch(/10[.,]00/);
      expect(await page.locator('#you-receive').textContent()).toMatch(/BRL/);
      expect(await page.locator('#you-receive').textContent()).toMatch(/53[.,]46/);
      await page.locator('#confirm').click();
      await page.locator('#done').waitFor();
    });
    const ready = await waitForTx(jwt, 'sep24', id, ['pending_user_transfer_start']);
    expect(ready).toMatchObject({ quote_id: quote.id, amount_in: '10', amount_out_asset: 'iso4217:BRL' });
    await payWithdrawal(user, ready, '10');
    const done = await waitForTx(jwt, 'sep24', id, ['completed'], 90_000);
    expect(done.fee_details).toMatchObject({ total: quote.fee.total, asset: stellarAsset });
    expect((await payoutsOf(id)).map((p) => [p.currency, Number(p.amount)])).toEqual([['BRL', 53.46]]);
  }, 120_000);

  it('a BRL transfer on a USD deposit’s reference is not credited: queued for an operator as a currency mismatch', async () => {
    const user = await stack.walletUser();
    const jwt = await stack.token(user);
    const res = await sep6(jwt, '/deposit', {
      asset_code: 'USDC',
      amount: '10',
      funding_method: 'bank_transfer',
    });
    expect(res.status).toBe(200);
    const id = String(res.body.id);
    await waitForTx(jwt, 'sep6', id, ['pending_user_transfer_start']);
    await bankTransfer(stack.bank.url, referenceOf(res.body), '10', 'BRL');
    const queued = await waitFor(
      async () =>
        (await stack.tdb.db
          .selectFrom('unmatched_bank_transfers')
          .innerJoin('bank_transfers', 'bank_transfers.id', 'unmatched_bank_transfers.bank_transfer_id')
          .select(['unmatched_bank_transfers.reason', 'unmatched_bank_transfers.candidate_transaction_ids'])
          .where('bank_transfers.reference', '=', referenceOf(res.body))
          .executeTakeFirst()) ?? undefined,
      20_000,
      'the BRL transfer to be queued',
    );
    expect(queued.reason).toBe('currency_mismatch');
    expect(queued.candidate_transaction_ids).toEqual([id]);
    const tx = await stack.call(`/sep6/transaction?id=${id}`, { jwt });
    expect((tx.body.transaction as { status: string }).status).toBe('pending_user_transfer_start');
    expect(await stack.balanceOf(user.publicKey())).toBe('0.0000000');
  });
});

describe('exchange transfers: a quote that expires before the funds arrive (10-second quotes)', () => {
  let stack: AnchorStack;

  beforeAll(async () => {
    stack = await startAnchorStack({
      prefix: 'e2exq',
      env: { SEP38_ENABLED: 'true', SEP38_QUOTE_TTL_SECONDS: '10', SEP38_SPREAD_PERCENT: '1' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('S24-10: BRL that arrives after the quote expired is refunded in full, once, and nothing is paid on Stellar', async () => {
    const user = await stack.walletUser();
    const jwt = await stack.token(user);
    const stellarAsset = `stellar:${stack.config.stellar.assetCode}:${stack.config.stellar.issuerAccount}`;
    const q = await stack.call('/sep38/quote', {
      jwt,
      method: 'POST',
      body: { sell_asset: 'iso4217:BRL', buy_asset: stellarAsset, sell_amount: '108', context: 'sep6' },
    });
    expect(q.status).toBe(201);
    const res = await stack.call(
      `/sep6/deposit-exchange?${new URLSearchParams({
        destination_asset: 'USDC',
        source_asset: 'iso4217:BRL',
        amount: '108',
        quote_id: String(q.body.id),
        funding_method: 'bank_transfer',
      })}`,
      { jwt },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const id = String(res.body.id);
    const expiresAt = Date.parse(String(q.body.expires_at));
    await waitFor(async () => Date.now() > expiresAt + 500 || undefined, 20_000, 'the quote to expire');
    const reference = (res.body.instructions as Record<string, { value: string }>)[
      'organization.external_transfer_memo'
    ]!.value;
    await bankTransfer(stack.bank.url, reference, '108', 'BRL');
    const done = await waitFor(
      async () => {
        const r = await stack.call(`/sep6/transaction?id=${id}`, { jwt });
        const tx = r.body.transaction as Record<string, unknown>;
        return tx.status === 'refunded' ? tx : undefined;
      },
      60_000,
      'the deposit to be refunded',
    );
    expect(String(done.message)).toMatch(/quote expired/);
    expect(done).toMatchObject({ amount_fee: '0', fee_details: { total: '0' } });
    expect(done.refunds).toMatchObject({ amount_refunded: '108' });
    expect(await stack.balanceOf(user.publicKey())).toBe('0.0000000');
    // One refund payment, through the bank, for the whole amount.
    expect((done.refunds as { payments: { amount: string }[] }).payments).toEqual([
      expect.objectContaining({ amount: '108', id_type: 'external' }),
    ]);
  });
});

describe('exchange transfers: SEP38_EXPIRED_QUOTE_RULE=requote (10-second quotes)', () => {
  let stack: AnchorStack;
  let stellarAsset: string;

  beforeAll(async () => {
    stack = await startAnchorStack({
      prefix: 'e2exr',
      env: {
        SEP38_ENABLED: 'true',
        SEP38_QUOTE_TTL_SECONDS: '10',
        SEP38_SPREAD_PERCENT: '1',
        SEP38_EXPIRED_QUOTE_RULE: 'requote',
        OBSERVER_POLL_INTERVAL_MS: '200',
      },
      observers: true,
    });
    stellarAsset = `stellar:${stack.config.stellar.assetCode}:${stack.config.stellar.issuerAccount}`;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const sep6 = (jwt: string, path: string, query: Record<string, string>) =>
    stack.call(`/sep6${path}?${new URLSearchParams(query)}`, { jwt });

  function waitForSep6(jwt: string, id: string, statuses: string[], timeoutMs = 60_000) {
    return waitFor(
      async () => {
        const r = await sep6(jwt, '/transaction', { id });
        const tx = r.body.transaction as Record<string, unknown> | undefined;
        return tx && statuses.includes(String(tx.status)) ? tx : undefined;
      },
      timeoutMs,
      `SEP-6 transaction ${id} to reach ${statuses.join('|')}`,
    );
  }

  /** A firm quote, the exchange transfer that uses it, and a wait until the quote has expired. */
  async function expiredQuoteTransfer(
    jwt: string,
    path: '/deposit-exchange' | '/withdraw-exchange',
    amount: string,
  ) {
    const deposit = path === '/deposit-exchange';
    const q = await stack.call('/sep38/quote', {
      jwt,
      method: 'POST',
      body: deposit
        ? { sell_asset: 'iso4217:BRL', buy_asset: stellarAsset, sell_amount: amount, context: 'sep6' }
        : { sell_asset: stellarAsset, buy_asset: 'iso4217:BRL', sell_amount: amount, context: 'sep6' },
    });
    expect(q.status).toBe(201);
    const res = await sep6(jwt, path, {
      ...(deposit
        ? { destination_asset: 'USDC', source_asset: 'iso4217:BRL' }
        : { source_asset: 'USDC', destination_asset: 'iso4217:BRL', dest: 'BR1800360305000010009795493C1' }),
      amount,
      quote_id: String(q.body.id),
      funding_method: 'bank_transfer',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const id = String(res.body.id);
    const ready = await waitForSep6(jwt, id, ['pending_user_transfer_start']);
    const expiresAt = Date.parse(String(q.body.expires_at));
    await waitFor(async () => Date.now() > expiresAt + 500 || undefined, 20_000, 'the quote to expire');
    return { id, ready, quoteId: String(q.body.id), body: res.body };
  }

  it('S6-11, S38-07: BRL after the quote expired: a new firm quote is offered (pending_transaction_info_update, accept_quote); "yes" converts at it, completed with its amounts', async () => {
    const user = await stack.walletUser();
    const jwt = await stack.token(user);
    const { id, quoteId, body } = await expiredQuoteTransfer(jwt, '/deposit-exchange', '108');
    const reference = (body.instructions as Record<string, { value: string }>)[
      'organization.external_transfer_memo'
    ]!.value;
    await bankTransfer(stack.bank.url, reference, '108', 'BRL');

    const offered = await waitForSep6(jwt, id, ['pending_transaction_info_update']);
    expect(Object.keys(offered.required_info_updates as object)).toEqual(['accept_quote']);
    expect(offered.quote_id).not.toBe(quoteId);
    expect(String(offered.message)).toMatch(/new quote/);
    const requote = await stack.call(`/sep38/quote/${String(offered.quote_id)}`, { jwt });
    expect(requote.status).toBe(200);
    expect(Number(requote.body.sell_amount)).toBe(108);
    expect(Number(offered.amount_out)).toBe(Number(requote.body.buy_amount));
    expect(offered.fee_details).toMatchObject({ total: (requote.body.fee as { total: string }).total });
    // (108 − 1.08) / 5.4 = 19.8 USDC at today's (unchanged) sandbox rate
    expect(Number(requote.body.buy_amount)).toBe(19.8);

    const bad = await stack.call(`/sep6/transactions/${id}`, {
      jwt,
      method: 'PATCH',
      body: { transaction: { accept_quote: 'maybe' } },
    });
    expect(bad.status).toBe(400);
    const yes = await stack.call(`/sep6/transactions/${id}`, {
      jwt,
      method: 'PATCH',
      body: { transaction: { accept_quote: 'yes' } },
    });
    expect(yes.status, JSON.stringify(yes.body)).toBe(200);
    const again = await stack.call(`/sep6/transactions/${id}`, {
      jwt,
      method: 'PATCH',
      body: { transaction: { accept_quote: 'no' } },
    });
    expect(again.status).toBe(400); // answered once

    const done = await waitForSep6(jwt, id, ['completed']);
    expect(done).toMatchObject({ quote_id: requote.body.id, amount_in: '108' });
    expect(Number(done.amount_out)).toBe(19.8);
    expect(await stack.balanceOf(user.publicKey())).toBe('19.8000000');
  }, 90_000);

  it('S6-11: USDC after the quote expired: the user declines the new quote, the payment is refunded on Stellar and nothing is paid out', async () => {
    const user = await stack.walletUser({ balance: '100' });
    const jwt = await stack.token(user);
    const { id, ready } = await expiredQuoteTransfer(jwt, '/withdraw-exchange', '30');
    await stack.submit(
      user,
      [
        Operation.payment({
          destination: String(ready.withdraw_anchor_account),
          asset: new Asset(stack.config.stellar.assetCode, stack.config.stellar.issuerAccount),
          amount: '30',
        }),
      ],
      Memo.id(String(ready.withdraw_memo)),
    );
    const offered = await waitForSep6(jwt, id, ['pending_transaction_info_update'], 60_000);
    expect(Number(offered.amount_out)).toBe(160.38); // (30 − 0.3) × 5.4 BRL
    const no = await stack.call(`/sep6/transactions/${id}`, {
      jwt,
      method: 'PATCH',
      body: { transaction: { accept_quote: 'no' } },
    });
    expect(no.status, JSON.stringify(no.body)).toBe(200);
    const done = await waitForSep6(jwt, id, ['refunded'], 60_000);
    expect(String(done.message)).toMatch(/declined/);
    // Nothing was charged: fee_details agrees with amount_fee (S24-27), not the offered quote's fee.
    expect(done).toMatchObject({ amount_fee: '0', fee_details: { total: '0' } });
    expect(await stack.balanceOf(user.publicKey())).toBe('100.0000000');
    const payouts = (await stack.bank.store.recentPayouts(200)).filter(
      (p) => p.idempotency_key === `payout-${id}`,
    );
    expect(payouts).toEqual([]);
  }, 90_000);

  it('the signed more_info_url offers the requote with two buttons; a wrong quote id or signature changes nothing, "accept" converts', async () => {
    const user = await stack.walletUser();
    const jwt = await stack.token(user);
    const { id, body } = await expiredQuoteTransfer(jwt, '/deposit-exchange', '54');
    const reference = (body.instructions as Record<string, { value: string }>)[
      'organization.external_transfer_memo'
    ]!.value;
    await bankTransfer(stack.bank.url, reference, '54', 'BRL');
    const offered = await waitForSep6(jwt, id, ['pending_transaction_info_update']);

    // The signed more_info_url (from GET /transaction, with the JWT) shows the buttons; the id alone does not.
    const signed = new URL(String(offered.more_info_url));
    const sig = signed.searchParams.get('sig') ?? '';
    expect(sig).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const html = await (await fetch(signed)).text();
    expect(html).toContain('id="requote-accept"');
    expect(html).toContain(String(offered.quote_id));
    expect(await (await fetch(`${stack.baseUrl}/sep24/more_info?id=${id}`)).text()).not.toContain(
      'requote-accept',
    );
    const post = (quoteId: string, signature: string) =>
      fetch(`${stack.baseUrl}/sep24/more_info/quote`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ id, quote_id: quoteId, sig: signature, answer: 'yes' }).toString(),
        redirect: 'manual',
      });
    // A wrong quote id, or the right one without the link's signature, changes nothing.
    expect((await post('00000000-0000-4000-a000-000000000000', sig)).status).toBe(303);
    expect((await post(String(offered.quote_id), '')).status).toBe(303);
    const forged = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
    expect((await post(String(offered.quote_id), forged)).status).toBe(303);
    const still = await sep6(jwt, '/transaction', { id });
    expect((still.body.transaction as { status: string }).status).toBe('pending_transaction_info_update');
    expect((await post(String(offered.quote_id), sig)).status).toBe(303);
    const done = await waitForSep6(jwt, id, ['completed']);
    expect(Number(done.amount_out)).toBe(9.9); // (54 − 0.54) / 5.4
    expect(await stack.balanceOf(user.publicKey())).toBe('9.9000000');
  }, 90_000);
});

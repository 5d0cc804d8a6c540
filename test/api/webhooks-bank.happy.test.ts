import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../api/deps.js';
import type { AppConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { attachUnmatchedTransfer, temporalDepositSignaller } from '../../core/bank/intake.js';
import {
  listUnmatchedTransfers,
  markUnmatchedRefunded,
  saveVirtualAccount,
  UnmatchedTransferError,
} from '../../db/bank.js';
import type { TransactionStatus } from '../../db/schema.js';
import { insertTransaction } from '../../db/transactions.js';
import { serveOnFreePort, startTestBank, waitFor } from '../helpers/bank.js';
import { postSigned, type TestTransfer, transferEvent, webhookTestApp } from '../helpers/bank-webhook.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';
import { transactionRow } from '../helpers/transactions.js';
import { bankSignalsSeenQuery } from '../workflow/probes/messages.js';

const ACCOUNT = 'GBQDTJ5LHWDWDQS6XU4MS6Q6D6RB6NDWMAJGVQ3U34FPXURFUPJAPRPS';

describe('POST /webhooks/bank: store once, match, signal deposit-<id> (issue 7 part 4)', () => {
  let tdb: TestDb;
  let temporal: TestTemporal;
  const probes: WorkflowHandle[] = [];

  beforeAll(async () => {
    tdb = await createTestDb('bwh');
    temporal = await startTestWorker({ config: testConfig(), db: tdb.db }, { activities: {} });
  });
  afterAll(async () => {
    await Promise.all(probes.map((p) => p.terminate().catch(() => {})));
    await temporal?.stop();
    await tdb?.destroy();
  });

  /** Built on first request: describe blocks run before beforeAll has the database and the client. */
  function appFor(config: AppConfig) {
    let app: ReturnType<typeof webhookTestApp> | undefined;
    return {
      request(url: string, init: RequestInit) {
        const deps: ApiDeps = {
          config,
          db: tdb.db,
          temporal: temporal.client,
          logger: createLogger('test', 'silent'),
        };
        app ??= webhookTestApp(deps);
        return app.request(url, init);
      },
    };
  }
  const referenceConfig = testConfig();
  const reference = appFor(referenceConfig);

  async function deposit(
    opts: {
      status?: TransactionStatus;
      bankReference?: string | null;
      sub?: string;
      probe?: boolean;
      amount?: string;
    } = {},
  ) {
    const id = randomBytes(8).toString('hex');
    const sub = opts.sub ?? ACCOUNT;
    await insertTransaction(
      tdb.db,
      transactionRow({
        id,
        kind: 'deposit',
        status: opts.status ?? 'pending_user_transfer_start',
        sub,
        sub_account: sub.split(':')[0]!,
        sub_memo: sub.split(':')[1] ?? null,
        asset_code: 'USDC',
        stellar_account: sub.split(':')[0]!,
        amount_expected: opts.amount ?? '100',
        bank_reference:
          opts.bankReference === undefined
            ? `DEP${randomBytes(5).toString('hex').toUpperCase()}`
            : opts.bankReference,
      }),
    );
    const row = await tdb.db
      .selectFrom('transactions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    if (opts.probe !== false) {
      const handle = await temporal.client.workflow.start('bankSignalProbeWorkflow', {
        taskQueue: temporal.taskQueue,
        workflowId: `deposit-${id}`,
      });
      probes.push(handle);
    }
    return row;
  }
  const seen = (transactionId: string) =>
    temporal.client.workflow.getHandle(`deposit-${transactionId}`).query(bankSignalsSeenQuery);
  const send = async (
    app: ReturnType<typeof appFor>,
    config: AppConfig,
    t: TestTransfer,
    eventId?: string,
  ) => {
    const event = transferEvent(t, eventId);
    const res = await postSigned(app, config, JSON.stringify(event));
    expect(res.status).toBe(200);
    return { event, body: (await res.json()) as { result: string; duplicate: boolean } };
  };
  const unmatchedRow = (transferId: string) =>
    tdb.db
      .selectFrom('unmatched_bank_transfers')
      .selectAll()
      .where('bank_transfer_id', '=', transferId)
      .executeTakeFirst();
  const transferRow = (transferId: string) =>
    tdb.db.selectFrom('bank_transfers').selectAll().where('id', '=', transferId).executeTakeFirstOrThrow();

  it('matches by the reference code inside a free-text description and signals once (S24-28 from masked)', async () => {
    const tx = await deposit({ bankReference: 'DEPA1B2C3D4E5' });
    const { event, body } = await send(reference, referenceConfig, {
      reference: 'Invoice dep-a1b2c3d4e5, thanks!',
      amount: '100.50',
      from_account: 'DE89370400440532013000',
    });
    expect(body).toMatchObject({ result: 'signalled', duplicate: false });
    const signals = await waitFor(async () => ((await seen(tx.id)).length > 0 ? seen(tx.id) : undefined));
    expect(signals).toEqual([
      {
        bankTransferId: event.data.transfer.id,
        reference: 'Invoice dep-a1b2c3d4e5, thanks!',
        amount: '100.5',
        currency: 'USD',
        from: 'DE89****3000',
        receivedAt: new Date(event.data.transfer.booked_at).toISOString(),
      },
    ]);
    expect(await transferRow(event.data.transfer.id)).toMatchObject({
      status: 'signalled',
      transaction_id: tx.id,
    });
  });

  it('the same event twice, and the same transfer under a new event id, signal exactly once', async () => {
    const tx = await deposit();
    const t = { id: `tr_${randomBytes(6).toString('hex')}`, reference: tx.bank_reference! };
    const first = await send(reference, referenceConfig, t, 'evt_dup_1');
    const again = await send(reference, referenceConfig, t, 'evt_dup_1');
    const redelivered = await send(reference, referenceConfig, t, 'evt_dup_2');
    expect(first.body.result).toBe('signalled');
    expect(again.body).toMatchObject({ result: 'already_handled', duplicate: true });
    expect(redelivered.body).toMatchObject({ result: 'already_handled', duplicate: true });
    // Once the signal is in history a later query shows it; nothing else arrives.
    await waitFor(async () => (await seen(tx.id)).length === 1);
    expect((await seen(tx.id)).map((s) => s.bankTransferId)).toEqual([t.id]);
  });

  it('concurrent deliveries of one transfer (webhook retries racing the poller) send exactly one signal', async () => {
    const tx = await deposit();
    const t = { id: `tr_${randomBytes(6).toString('hex')}`, reference: tx.bank_reference! };
    const bodies = [1, 2, 3, 4, 5, 6].map((n) => JSON.stringify(transferEvent(t, `evt_race_${n % 2}`)));
    const responses = await Promise.all(bodies.map((b) => postSigned(reference, referenceConfig, b)));
    const results = await Promise.all(responses.map((r) => r.json() as Promise<{ result: string }>));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.result === 'signalled')).toHaveLength(1);
    expect(results.every((r) => ['signalled', 'in_flight', 'already_handled'].includes(r.result))).toBe(true);
    await waitFor(async () => (await transferRow(t.id)).status === 'signalled');
    // The signal is in history before the transfer is marked signalled; nothing else can follow.
    expect((await seen(tx.id)).map((s) => s.bankTransferId)).toEqual([t.id]);
    expect((await transferRow(t.id)).delivering_until).toBeNull();
  });

  it('reordered events for two deposits each reach their own deposit once', async () => {
    const a = await deposit();
    const b = await deposit();
    const ta = transferEvent({ reference: a.bank_reference! });
    const tb = transferEvent({ reference: b.bank_reference! });
    // The bank created a first, but b's event arrives first, then a's, then b's again.
    for (const e of [tb, ta, tb])
      expect((await postSigned(reference, referenceConfig, JSON.stringify(e))).status).toBe(200);
    await waitFor(async () => (await seen(a.id)).length === 1 && (await seen(b.id)).length === 1);
    expect((await seen(a.id))[0]!.bankTransferId).toBe(ta.data.transfer.id);
    expect((await seen(b.id))[0]!.bankTransferId).toBe(tb.data.transfer.id);
  });

  it('queues a second, different transfer for an already funded deposit instead of crediting twice', async () => {
    const tx = await deposit();
    const first = await send(reference, referenceConfig, { reference: tx.bank_reference! });
    const second = await send(reference, referenceConfig, { reference: tx.bank_reference! });
    expect(first.body.result).toBe('signalled');
    expect(second.body.result).toBe('unmatched');
    expect(await unmatchedRow(second.event.data.transfer.id)).toMatchObject({
      reason: 'deposit_already_funded',
      candidate_transaction_ids: [tx.id],
      state: 'open',
    });
    await waitFor(async () => (await seen(tx.id)).length === 1);
    expect((await seen(tx.id)).map((s) => s.bankTransferId)).toEqual([first.event.data.transfer.id]);
  });

  it('unmatched queue: no match at all (reason no_match)', async () => {
    const { event, body } = await send(reference, referenceConfig, { reference: 'DEPDOESNOTEXIST' });
    expect(body.result).toBe('unmatched');
    expect(await unmatchedRow(event.data.transfer.id)).toMatchObject({ reason: 'no_match', state: 'open' });
    expect(await transferRow(event.data.transfer.id)).toMatchObject({
      status: 'unmatched',
      transaction_id: null,
    });
  });

  it('unmatched queue: a deposit that expired (reference not yet released) is not credited', async () => {
    const tx = await deposit({ status: 'expired', probe: false });
    const { event, body } = await send(reference, referenceConfig, { reference: tx.bank_reference! });
    expect(body.result).toBe('unmatched');
    expect(await unmatchedRow(event.data.transfer.id)).toMatchObject({
      reason: 'deposit_not_live',
      candidate_transaction_ids: [tx.id],
    });
  });

  it('unmatched queue: a live row whose deposit workflow is no longer running', async () => {
    const tx = await deposit({ probe: false });
    const { event, body } = await send(reference, referenceConfig, { reference: tx.bank_reference! });
    expect(body.result).toBe('unmatched');
    expect(await unmatchedRow(event.data.transfer.id)).toMatchObject({
      reason: 'deposit_not_live',
      candidate_transaction_ids: [tx.id],
    });
  });

  it('unmatched queue: a transfer in another currency than the bank account is never credited', async () => {
    const tx = await deposit();
    const { event, body } = await send(reference, referenceConfig, {
      reference: tx.bank_reference!,
      currency: 'EUR',
    });
    expect(body.result).toBe('unmatched');
    expect(await unmatchedRow(event.data.transfer.id)).toMatchObject({
      reason: 'currency_mismatch',
      candidate_transaction_ids: [tx.id],
    });
    expect(await seen(tx.id)).toEqual([]);
  });

  it('unmatched queue: a description naming two live deposits is ambiguous', async () => {
    const a = await deposit();
    const b = await deposit();
    const { event, body } = await send(reference, referenceConfig, {
      reference: `${a.bank_reference} and ${b.bank_reference}`,
    });
    expect(body.result).toBe('unmatched');
    const row = await unmatchedRow(event.data.transfer.id);
    expect(row?.reason).toBe('ambiguous');
    expect([...(row?.candidate_transaction_ids ?? [])].sort()).toEqual([a.id, b.id].sort());
    expect(await seen(a.id)).toEqual([]);
    expect(await seen(b.id)).toEqual([]);
  });

  it('end to end over HTTP: the sandbox bank signs, retries and delivers; the deposit gets the signal', async () => {
    const deps: ApiDeps = {
      config: referenceConfig,
      db: tdb.db,
      temporal: temporal.client,
      logger: createLogger('test', 'silent'),
    };
    const api = await serveOnFreePort(webhookTestApp(deps).fetch);
    const bank = await startTestBank(referenceConfig, `${api.url}/webhooks/bank`);
    try {
      const tx = await deposit();
      const res = await fetch(`${bank.url}/api/transfers`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${referenceConfig.bank.apiKey}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          reference: `Ref ${tx.bank_reference}`,
          amount: '75.25',
          from_account: 'GB33BUKB20201555555555',
        }),
      });
      const transfer = (await res.json()) as { id: string };
      await waitFor(async () => {
        await bank.sender.deliverDue();
        return (await seen(tx.id)).length === 1;
      });
      expect((await seen(tx.id))[0]).toMatchObject({
        bankTransferId: transfer.id,
        amount: '75.25',
        from: 'GB33****5555',
      });
      const delivery = await bank.store.db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('transfer_id', '=', transfer.id)
        .executeTakeFirstOrThrow();
      expect(delivery).toMatchObject({ status: 'delivered', last_status: 200 });
    } finally {
      await bank.close({ dropSchema: true });
      await api.close();
    }
  });

  describe('DEPOSIT_MATCHING=virtual_account', () => {
    const config = testConfig({ DEPOSIT_MATCHING: 'virtual_account' });
    const app = appFor(config);

    it("matches the transfer's to_account against the customer's virtual account", async () => {
      const sub = `${ACCOUNT}:${Date.now()}`;
      const tx = await deposit({ sub, bankReference: null });
      await saveVirtualAccount(tdb.db, sub, 'SB00VA00000000000777');
      const { event, body } = await send(app, config, { to_account: 'SB00VA00000000000777', reference: '' });
      expect(body.result).toBe('signalled');
      await waitFor(async () => (await seen(tx.id)).length === 1);
      expect((await seen(tx.id))[0]!.bankTransferId).toBe(event.data.transfer.id);
    });

    it('tells two live deposits of one customer apart by their announced amount', async () => {
      const sub = `${ACCOUNT}:${Date.now() + 2}`;
      const fifty = await deposit({ sub, bankReference: null, amount: '50' });
      const seventyFive = await deposit({ sub, bankReference: null, amount: '75' });
      await saveVirtualAccount(tdb.db, sub, 'SB00VA00000000000999');
      const hit = await send(app, config, { to_account: 'SB00VA00000000000999', amount: '75.00' });
      expect(hit.body.result).toBe('signalled');
      await waitFor(async () => (await seen(seventyFive.id)).length === 1);
      expect(await seen(fifty.id)).toEqual([]);
      const miss = await send(app, config, { to_account: 'SB00VA00000000000999', amount: '60' });
      expect((await unmatchedRow(miss.event.data.transfer.id))?.reason).toBe('ambiguous');
    });

    it('is ambiguous when the customer has two live deposits, and no_match for an unknown account', async () => {
      const sub = `${ACCOUNT}:${Date.now() + 1}`;
      await deposit({ sub, bankReference: null });
      await deposit({ sub, bankReference: null, status: 'incomplete' });
      await saveVirtualAccount(tdb.db, sub, 'SB00VA00000000000888');
      const amb = await send(app, config, { to_account: 'SB00VA00000000000888' });
      expect((await unmatchedRow(amb.event.data.transfer.id))?.reason).toBe('ambiguous');
      const none = await send(app, config, { to_account: 'SB00VA00000000099999' });
      expect((await unmatchedRow(none.event.data.transfer.id))?.reason).toBe('no_match');
    });
  });

  describe('DEPOSIT_MATCHING=user_id', () => {
    const config = testConfig({ DEPOSIT_MATCHING: 'user_id' });
    const app = appFor(config);

    it('matches a user id equal to our customer id (SEP-12) or to the SEP-10 sub', async () => {
      const memo = String(Date.now());
      const sub = `${ACCOUNT}:${memo}`;
      const tx = await deposit({ sub, bankReference: null });
      await tdb.db
        .insertInto('customers')
        .values({ id: `cust-${memo}`, account: ACCOUNT, memo })
        .execute();
      const byCustomer = await send(app, config, { user_id: `cust-${memo}` });
      expect(byCustomer.body.result).toBe('signalled');
      await waitFor(async () => (await seen(tx.id)).length === 1);

      const other = await deposit({ sub: `${ACCOUNT}:${memo}9`, bankReference: null });
      const bySub = await send(app, config, { user_id: `${ACCOUNT}:${memo}9` });
      expect(bySub.body.result).toBe('signalled');
      await waitFor(async () => (await seen(other.id)).length === 1);

      const none = await send(app, config, { user_id: 'cust-unknown' });
      expect((await unmatchedRow(none.event.data.transfer.id))?.reason).toBe('no_match');
      const missing = await send(app, config, {});
      expect((await unmatchedRow(missing.event.data.transfer.id))?.reason).toBe('no_match');
    });
  });

  describe('operator queue (admin API repository functions)', () => {
    const intake = () => ({
      db: tdb.db,
      matching: referenceConfig.bank.depositMatching,
      currency: referenceConfig.bank.currency,
      signal: temporalDepositSignaller(temporal.client),
    });

    it('lists open items, attaches one to a deposit (which is signalled), and refuses a second decision', async () => {
      const tx = await deposit({ bankReference: null });
      const { event } = await send(reference, referenceConfig, { reference: 'my deposit, no code' });
      const open = await listUnmatchedTransfers(tdb.db);
      const item = open.find((u) => u.bank_transfer_id === event.data.transfer.id);
      expect(item).toMatchObject({
        reason: 'no_match',
        amount: '100.0000000',
        reference: 'my deposit, no code',
      });

      const result = await attachUnmatchedTransfer(
        intake(),
        event.data.transfer.id,
        tx.id,
        'ops@example.com',
        'called the customer',
      );
      expect(result).toEqual({ result: 'signalled', transactionId: tx.id });
      await waitFor(async () => (await seen(tx.id)).length === 1);
      expect((await seen(tx.id))[0]!.bankTransferId).toBe(event.data.transfer.id);
      expect(await unmatchedRow(event.data.transfer.id)).toMatchObject({
        state: 'attached',
        resolved_transaction_id: tx.id,
        resolved_by: 'ops@example.com',
      });
      expect(
        (await listUnmatchedTransfers(tdb.db)).some((u) => u.bank_transfer_id === event.data.transfer.id),
      ).toBe(false);
      await expect(
        attachUnmatchedTransfer(intake(), event.data.transfer.id, tx.id, 'ops@example.com'),
      ).rejects.toMatchObject({ code: 'not_open' });
    });

    it('re-opens the item when the chosen deposit is not running, and refuses non-deposits and unknown ids', async () => {
      const stopped = await deposit({ bankReference: null, probe: false });
      const { event } = await send(reference, referenceConfig, { reference: 'who knows' });
      const result = await attachUnmatchedTransfer(intake(), event.data.transfer.id, stopped.id, 'ops');
      expect(result).toEqual({ result: 'unmatched', reason: 'deposit_not_live' });
      expect(await unmatchedRow(event.data.transfer.id)).toMatchObject({
        state: 'open',
        reason: 'deposit_not_live',
      });
      await expect(
        attachUnmatchedTransfer(intake(), event.data.transfer.id, 'nope', 'ops'),
      ).rejects.toBeInstanceOf(UnmatchedTransferError);
      await expect(attachUnmatchedTransfer(intake(), 'tr_unknown', stopped.id, 'ops')).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('marks an item refunded with the bank refund reference', async () => {
      const { event } = await send(reference, referenceConfig, { reference: 'stray money' });
      await markUnmatchedRefunded(tdb.db, event.data.transfer.id, 'ops', 'po_refund_123', 'sent back');
      expect(await unmatchedRow(event.data.transfer.id)).toMatchObject({
        state: 'refunded',
        refund_reference: 'po_refund_123',
      });
      expect(await transferRow(event.data.transfer.id)).toMatchObject({ status: 'refunded' });
      await expect(
        markUnmatchedRefunded(tdb.db, event.data.transfer.id, 'ops', 'again'),
      ).rejects.toMatchObject({
        code: 'not_open',
      });
      // A refunded transfer arriving again (redelivery) stays refunded: never credited.
      const again = await postSigned(reference, referenceConfig, JSON.stringify(event));
      expect(await again.json()).toMatchObject({ result: 'already_handled', duplicate: true });
    });
  });
});

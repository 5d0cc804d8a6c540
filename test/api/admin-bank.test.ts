import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBankPayout, queueUnmatched, recordBankTransfer } from '../../db/bank.js';
import type { SandboxBank } from '../../sandbox/bank/server.js';
import { startTestBank } from '../helpers/bank.js';
import { testConfig } from '../helpers/config.js';
import { adminKey, adminTestApp, call, seedTransaction } from './admin-helpers.js';

describe('admin API: unmatched bank transfers, attach or refund (issue 9, issue 7 queue)', () => {
  const banker = adminKey('banker', 'transactions:read,bank:write');
  const reader = adminKey('reader', 'transactions:read');
  let bank: SandboxBank;
  let t: Awaited<ReturnType<typeof adminTestApp>>;

  beforeAll(async () => {
    bank = await startTestBank(testConfig(), 'http://127.0.0.1:1/unused');
    t = await adminTestApp([banker, reader], { BANK_API_URL: bank.url });
  });
  afterAll(async () => {
    await t?.close();
    await bank?.close({ dropSchema: true });
  });

  async function unmatched(amount = '25') {
    const id = `bt-${randomBytes(6).toString('hex')}`;
    await recordBankTransfer(
      t.db,
      {
        id,
        reference: 'NO-SUCH-REF',
        amount,
        currency: 'USD',
        fromAccount: 'DE89370400440532013000',
        fromName: 'A Sender',
        bookedAt: new Date(),
      },
      'webhook',
    );
    await queueUnmatched(t.db, id, 'no_match', 'no deposit has this reference');
    return id;
  }

  it('lists the open queue with masked sender accounts', async () => {
    const id = await unmatched();
    const res = await call(t.app, 'GET', '/admin/bank/unmatched', { key: reader.raw });
    expect(res.status).toBe(200);
    const { transfers } = (await res.json()) as {
      transfers: { bank_transfer_id: string; from_account: string; amount: string }[];
    };
    const item = transfers.find((x) => x.bank_transfer_id === id)!;
    expect(item.from_account).toBe('DE89****3000');
    expect(JSON.stringify(transfers)).not.toContain('A Sender');
  });

  it('attaches a transfer to a deposit: signals bankTransferReceived to deposit-<id>; a second attach is 409', async () => {
    const id = await unmatched('40');
    const deposit = await seedTransaction(t.db, { kind: 'deposit', status: 'pending_user_transfer_start' });
    await t.temporal.workflow.start('parkedWorkflow', {
      taskQueue: `parked-${randomBytes(4).toString('hex')}`,
      workflowId: `deposit-${deposit.id}`,
    });
    const res = await call(t.app, 'POST', `/admin/bank/unmatched/${id}/attach`, {
      key: banker.raw,
      body: { transaction_id: deposit.id, note: 'ref typo' },
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'accepted', result: 'signalled' });
    const history = await t.temporal.workflow.getHandle(`deposit-${deposit.id}`).fetchHistory();
    const signal = history.events!.find((e) => e.workflowExecutionSignaledEventAttributes)!
      .workflowExecutionSignaledEventAttributes!;
    expect(signal.signalName).toBe('bankTransferReceived');
    expect(JSON.parse(Buffer.from(signal.input!.payloads![0]!.data!).toString())).toMatchObject({
      bankTransferId: id,
      amount: '40',
    });

    const again = await call(t.app, 'POST', `/admin/bank/unmatched/${id}/attach`, {
      key: banker.raw,
      body: { transaction_id: deposit.id },
    });
    expect(again.status).toBe(409);
    await t.temporal.workflow.getHandle(`deposit-${deposit.id}`).terminate('test done');
  });

  it('refunds a transfer to its sender through the bank, once', async () => {
    const id = await unmatched('12.5');
    const res = await call(t.app, 'POST', `/admin/bank/unmatched/${id}/refund`, {
      key: banker.raw,
      body: { reason: 'unknown sender' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; refund_id: string };
    expect(body.status).toBe('refunded');
    const payout = await getBankPayout(t.db, `refund-unmatched-${id}`);
    // our record keeps the sender's account masked; the bank received the full one
    expect(payout).toMatchObject({ destination_account: 'DE89****3000' });
    const atBank = await bank.store.payoutByKey(`refund-unmatched-${id}`);
    expect(atBank?.account_number).toBe('DE89370400440532013000');
    const again = await call(t.app, 'POST', `/admin/bank/unmatched/${id}/refund`, {
      key: banker.raw,
      body: {},
    });
    expect(again.status).toBe(409);
    const audit = await t.db
      .selectFrom('admin_audit')
      .selectAll()
      .where('action', '=', 'bank.unmatched.refund')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => [a.actor, a.outcome, a.target])).toEqual([
      ['banker', 'ok', id],
      ['banker', 'error', id],
    ]);
  });

  it('needs bank:write to act, and 404s an unknown transfer', async () => {
    const id = await unmatched();
    expect(
      (await call(t.app, 'POST', `/admin/bank/unmatched/${id}/refund`, { key: reader.raw, body: {} })).status,
    ).toBe(403);
    expect(
      (await call(t.app, 'POST', '/admin/bank/unmatched/nope/refund', { key: banker.raw, body: {} })).status,
    ).toBe(404);
  });
});

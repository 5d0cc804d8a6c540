import type { WorkflowExecutionInfo } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depositWorkflowId, withdrawalWorkflowId } from '../../core/ids.js';
import {
  AnchorTransactionId,
  AssetCode,
  StellarAccount,
  TransactionKind,
  TransactionStatus,
} from '../../workflows/search-attributes.js';
import { type AnchorStack, startAnchorStack } from '../helpers/anchor-stack.js';
import { waitFor } from '../helpers/bank.js';
import { completeDepositPages, completeWithdrawPages } from './stack/wallet.js';

/**
 * Issue 7 acceptance: "The Temporal UI lists each deposit with its search attributes (transaction id, account,
 * kind, status) so an operator can find a user's deposit by account". Deposits are started through the API, then
 * found with the same visibility queries the UI runs (eventually consistent: polled with a deadline).
 */
describe('Temporal visibility: an operator finds deposits by account, kind and status (issue 7)', () => {
  let s: AnchorStack;

  beforeAll(async () => {
    s = await startAnchorStack({ prefix: 'vis' });
  });
  afterAll(async () => {
    await s?.close();
  });

  async function list(query: string): Promise<WorkflowExecutionInfo[]> {
    const found: WorkflowExecutionInfo[] = [];
    for await (const wf of s.temporal.client.workflow.list({ query })) found.push(wf);
    return found;
  }

  /** Polls the visibility query until exactly `ids` (by AnchorTransactionId) come back. */
  function waitForQuery(query: string, ids: string[]): Promise<WorkflowExecutionInfo[]> {
    return waitFor(
      async () => {
        const found = await list(query);
        const got = found.map((wf) => wf.typedSearchAttributes.get(AnchorTransactionId)).sort();
        return JSON.stringify(got) === JSON.stringify([...ids].sort()) ? found : undefined;
      },
      30_000,
      `visibility query ${query} to return ${ids.join(', ')}`,
    );
  }

  it('each deposit is listed by StellarAccount + TransactionKind with its transaction id, status and amount memo; TransactionStatus follows the deposit', async () => {
    const users = [await s.walletUser(), await s.walletUser()];
    const deposits: { account: string; jwt: string; ids: string[]; urls: string[] }[] = [];
    const askedAmount = new Map<string, string>();
    for (const [i, user] of users.entries()) {
      const jwt = await s.token(user);
      const ids: string[] = [];
      const urls: string[] = [];
      // The first user has two deposits, the second one.
      for (const amount of i === 0 ? ['15', '25.5'] : ['40']) {
        const r = await s.call('/sep24/transactions/deposit/interactive', {
          jwt,
          body: { asset_code: s.config.stellar.assetCode, amount },
        });
        expect(r.status).toBe(200);
        ids.push((r.body as { id: string }).id);
        askedAmount.set((r.body as { id: string }).id, amount);
        urls.push((r.body as { url: string }).url);
      }
      deposits.push({ account: user.publicKey(), jwt, ids, urls });
    }

    // Find each user's deposits by account, as an operator types it in the UI's search box.
    for (const d of deposits) {
      const found = await waitForQuery(`StellarAccount="${d.account}" AND TransactionKind="deposit"`, d.ids);
      for (const wf of found) {
        const id = wf.typedSearchAttributes.get(AnchorTransactionId)!;
        expect(wf.workflowId).toBe(`deposit-${id}`);
        expect(wf.type).toBe('depositWorkflow');
        expect(wf.taskQueue).toBe(s.config.temporal.taskQueue);
        expect(wf.typedSearchAttributes.get(StellarAccount)).toBe(d.account);
        expect(wf.typedSearchAttributes.get(TransactionKind)).toBe('deposit');
        expect(wf.typedSearchAttributes.get(TransactionStatus)).toBe('incomplete');
        expect(wf.typedSearchAttributes.get(AssetCode)).toBe(s.config.stellar.assetCode);
        // The memo shows the amount the user asked for, without opening the history.
        expect(wf.memo).toEqual({ amount: askedAmount.get(id) });
      }
    }
    // The other account's deposits never show up under this account.
    const first = await list(`StellarAccount="${deposits[0]!.account}"`);
    for (const wf of first)
      expect(deposits[1]!.ids).not.toContain(wf.typedSearchAttributes.get(AnchorTransactionId));

    // The user finishes the pages of one deposit: its TransactionStatus moves on, and the UI finds it by status.
    const moved = deposits[0]!.ids[1]!;
    await completeDepositPages(deposits[0]!.urls[1]!, '25.5');
    await s.waitForStatus(deposits[0]!.jwt, moved, ['pending_user_transfer_start'], 30_000);
    await waitForQuery(
      `StellarAccount="${deposits[0]!.account}" AND TransactionStatus="pending_user_transfer_start"`,
      [moved],
    );
    await waitForQuery(`StellarAccount="${deposits[0]!.account}" AND TransactionStatus="incomplete"`, [
      deposits[0]!.ids[0]!,
    ]);
    // And by transaction id alone (what support gets from the user).
    const byId = await waitForQuery(`AnchorTransactionId="${moved}"`, [moved]);
    expect(byId[0]!.typedSearchAttributes.get(TransactionStatus)).toBe('pending_user_transfer_start');
  });

  /** The summaries the Temporal UI shows beside a run's timers and activities (issue 13 item 5). */
  async function summaries(workflowId: string) {
    const history = await s.temporal.client.workflow.getHandle(workflowId).fetchHistory();
    const text = (e: proto.temporal.api.history.v1.IHistoryEvent) =>
      e.userMetadata?.summary
        ? String(defaultPayloadConverter.fromPayload(e.userMetadata.summary))
        : undefined;
    const events = history.events ?? [];
    return {
      timers: events.filter((e) => e.timerStartedEventAttributes).map(text),
      activities: events
        .filter((e) => e.activityTaskScheduledEventAttributes)
        .map((e) => ({ type: e.activityTaskScheduledEventAttributes?.activityType?.name, summary: text(e) })),
    };
  }

  it('timers and activities carry human summaries; deposit and withdrawal memos hold the same amount fields (issue 13 item 5)', async () => {
    const user = await s.walletUser({ balance: '100' });
    const jwt = await s.token(user);
    const dep = await s.call('/sep24/transactions/deposit/interactive', {
      jwt,
      body: { asset_code: s.config.stellar.assetCode, amount: '30' },
    });
    const wd = await s.call('/sep24/transactions/withdraw/interactive', {
      jwt,
      body: { asset_code: s.config.stellar.assetCode, amount: '20' },
    });
    expect([dep.status, wd.status]).toEqual([200, 200]);
    const depositId = (dep.body as { id: string }).id;
    const withdrawalId = (wd.body as { id: string }).id;
    // Before the form is sent, each run waits on a summarised timer for it. (Asked now: once the
    // form's signal is in, a run that had not yet reached the wait never starts that timer.)
    const formTimer = /^Wait for the hosted form \(up to \d+ (s|min|h|d)\)$/;
    for (const id of [depositWorkflowId(depositId), withdrawalWorkflowId(withdrawalId)]) {
      await waitFor(
        async () => (await summaries(id)).timers.some((t) => t !== undefined && formTimer.test(t)),
        20_000,
        `the hosted-form timer of ${id}`,
      );
    }
    await completeDepositPages((dep.body as { url: string }).url, '30');
    await completeWithdrawPages((wd.body as { url: string }).url, '20');
    await s.waitForStatus(jwt, depositId, ['pending_user_transfer_start'], 30_000);
    await s.waitForStatus(jwt, withdrawalId, ['pending_user_transfer_start'], 30_000);

    const deposit = await summaries(depositWorkflowId(depositId));
    expect(deposit.timers).toContainEqual(expect.stringMatching(formTimer));
    expect(deposit.timers).toContainEqual(expect.stringMatching(/^Wait for the bank transfer \(up to /));
    expect(deposit.activities.length).toBeGreaterThan(0);
    for (const a of deposit.activities) expect(a.summary, `${a.type} has a summary`).toMatch(/\w+ \w+/);
    const withdrawal = await summaries(withdrawalWorkflowId(withdrawalId));
    expect(withdrawal.timers).toContainEqual(
      expect.stringMatching(/^Wait for the user’s Stellar payment \(up to /),
    );
    expect(withdrawal.activities.map((a) => a.summary)).toContain(
      'Check the daily and monthly withdrawal limits',
    );
    for (const a of withdrawal.activities) expect(a.summary, `${a.type} has a summary`).toBeDefined();

    // The same memo fields on both kinds: what was asked, and the quote's amounts once they are known.
    const memo = async (id: string) => (await s.temporal.client.workflow.getHandle(id).describe()).memo;
    const depositMemo = await memo(depositWorkflowId(depositId));
    const withdrawalMemo = await memo(withdrawalWorkflowId(withdrawalId));
    expect(Object.keys(withdrawalMemo ?? {}).sort()).toEqual([
      'amount',
      'amountFee',
      'amountIn',
      'amountOut',
    ]);
    expect(withdrawalMemo).toMatchObject({ amount: '20', amountIn: '20' });
    expect(depositMemo).toMatchObject({ amount: '30' });
    // The deposit learns its amounts when the transfer arrives; its start memo already has the same first field.
    expect(Object.keys(depositMemo ?? {})).toContain('amount');
  });
});

import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interactiveCompletedSignal } from '../../workflows/messages.js';
import { createSep24Api, type Sep24Api } from './sep24.helpers.js';
import { getJson, qs } from './sep38.helpers.js';

/**
 * PATCH /sep6/transactions/:id (S6-11): a withdrawal started without `dest` waits in
 * pending_transaction_info_update with required_info_updates; the PATCH supplies them, the row goes back to
 * pending_anchor and the WithdrawalWorkflow gets its interactiveCompleted signal. No worker runs on this queue:
 * the run's history shows what it was sent.
 */
describe('SEP-6 PATCH /transactions/:id (S6-11)', () => {
  let api: Sep24Api;
  let token: string;
  const alice = Keypair.random().publicKey();

  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 's6p' });
    token = await api.tokenFor(alice);
  });
  afterAll(async () => {
    await api?.close();
  });

  const patch = async (id: string, body: unknown, jwt: string | null = token) => {
    const res = await api.request(`/sep6/transactions/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', ...(jwt ? { Authorization: `Bearer ${jwt}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  async function withdrawWithoutDest(jwt = token): Promise<string> {
    const { status, body } = await getJson(
      api,
      `/sep6/withdraw?${qs({ asset_code: 'USDC', type: 'bank_transfer', amount: '12.5' })}`,
      jwt,
    );
    expect(status).toBe(200);
    return body.id as string;
  }

  it('S6-06, S6-09, S6-11: a withdrawal without dest is pending_transaction_info_update with required_info_updates; PATCH supplies dest → 200, pending_anchor, the workflow is signalled', async () => {
    const id = await withdrawWithoutDest();
    const before = await getJson(api, `/sep6/transaction?${qs({ id })}`, token);
    expect(before.body.transaction).toMatchObject({
      id,
      status: 'pending_transaction_info_update',
      required_info_updates: {
        dest: { description: expect.any(String) },
        dest_extra: { description: expect.any(String), optional: true },
      },
    });
    expect(typeof before.body.transaction.required_info_message).toBe('string');

    const res = await patch(id, {
      transaction: { dest: 'DE89 3704 0044 0532 0130 00', dest_extra: 'COBADEFFXXX' },
    });
    expect(res.status).toBe(200);
    expect(res.body.transaction).toMatchObject({ id, status: 'pending_anchor' });
    expect(res.body.transaction.required_info_updates).toBeUndefined();

    const details = await api.tdb.db
      .selectFrom('withdrawal_details')
      .selectAll()
      .where('transaction_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(details.destination_masked).toMatch(/3000$/);
    expect(details.destination_ciphertext).not.toContain('DE89');
    const history = await api.temporal.workflow.getHandle(`withdraw-${id}`).fetchHistory();
    const signals = (history.events ?? []).flatMap((e) =>
      e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes] : [],
    );
    expect(signals.map((s) => s.signalName)).toEqual([interactiveCompletedSignal.name]);

    // S6-11: a second PATCH finds it no longer waiting: 400.
    const again = await patch(id, { transaction: { dest: 'DE89370400440532013000' } });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatch(/not pending_transaction_info_update/);
  });

  it('S6-11: PATCH outside pending_transaction_info_update is 400 (a withdrawal with dest, a deposit)', async () => {
    const withDest = await getJson(
      api,
      `/sep6/withdraw?${qs({ asset_code: 'USDC', type: 'bank_transfer', amount: '5', dest: '12345678' })}`,
      token,
    );
    const deposit = await getJson(
      api,
      `/sep6/deposit?${qs({ asset_code: 'USDC', funding_method: 'bank_transfer', amount: '5' })}`,
      token,
    );
    for (const id of [withDest.body.id, deposit.body.id]) {
      const res = await patch(id, { transaction: { dest: '12345678' } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/not pending_transaction_info_update/);
    }
  });

  it('S6-11: fields not asked for, a missing or invalid dest, and a malformed body are 400 {"error"}; nothing changes', async () => {
    const id = await withdrawWithoutDest();
    const cases: [unknown, RegExp][] = [
      [{ transaction: { dest: '12345678', first_name: 'Eve' } }, /first_name is not a field/],
      [{ transaction: { dest_extra: 'COBADEFF' } }, /dest is required/],
      [{ transaction: { dest: '<script>' } }, /dest must be/],
      [{ dest: '12345678' }, /transaction/],
      ['{"transaction":', /./],
    ];
    for (const [body, pattern] of cases) {
      const res = await patch(id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatch(pattern);
    }
    const still = await getJson(api, `/sep6/transaction?${qs({ id })}`, token);
    expect(still.body.transaction.status).toBe('pending_transaction_info_update');
  });

  it('S6-11, S6-02: unknown id and another user’s transaction are 404; no JWT is 403', async () => {
    const id = await withdrawWithoutDest();
    const bob = await api.tokenFor(Keypair.random().publicKey());
    expect(
      (await patch('00000000-0000-4000-8000-000000000000', { transaction: { dest: '12345678' } })).status,
    ).toBe(404);
    const foreign = await patch(id, { transaction: { dest: '12345678' } }, bob);
    expect(foreign.status).toBe(404);
    const anonymous = await patch(id, { transaction: { dest: '12345678' } }, null);
    expect(anonymous.status).toBe(403);
    expect(anonymous.body).toEqual({ type: 'authentication_required' });
    const still = await getJson(api, `/sep6/transaction?${qs({ id })}`, token);
    expect(still.body.transaction.status).toBe('pending_transaction_info_update');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBankWebhook } from '../../core/bank/signature.js';
import { createTestApiDeps, type TestApiDeps } from '../helpers/api.js';
import { postSigned, transferEvent, webhookTestApp } from '../helpers/bank-webhook.js';
import { testConfig } from '../helpers/config.js';

const config = testConfig({ BANK_WEBHOOK_TOLERANCE_SECONDS: '300' });

describe('POST /webhooks/bank signature (Stripe-style HMAC over the raw body, replay window)', () => {
  let api: TestApiDeps;
  let app: ReturnType<typeof webhookTestApp>;

  beforeAll(async () => {
    api = await createTestApiDeps(config, { schemaPrefix: 'bwhs' });
    app = webhookTestApp(api.deps);
  });
  afterAll(async () => {
    await api?.close();
  });

  const recorded = async (transferId: string) =>
    api.tdb.db.selectFrom('bank_transfers').selectAll().where('id', '=', transferId).executeTakeFirst();
  const expectError = async (res: Response, status: number) => {
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error?: unknown };
    expect(typeof body.error).toBe('string');
  };

  it('accepts a correctly signed event and records it once', async () => {
    const event = transferEvent({ reference: 'nothing to match' });
    const res = await postSigned(app, config, JSON.stringify(event));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: true, result: 'unmatched', duplicate: false });
    expect(await recorded(event.data.transfer.id)).toMatchObject({ event_id: event.id, source: 'webhook' });
  });

  it('rejects a wrong signature, a wrong secret and a tampered body (401), recording nothing', async () => {
    const event = transferEvent({});
    const body = JSON.stringify(event);
    const t = Math.floor(Date.now() / 1000);
    await expectError(await postSigned(app, config, body, { header: `t=${t},v1=${'0'.repeat(64)}` }), 401);
    await expectError(await postSigned(app, config, body, { secret: 'some-other-secret-of-length' }), 401);
    // Signed over the original bytes, then the amount is changed in transit.
    const signature = signBankWebhook(config.bank.webhookSecret, body, t);
    const tampered = body.replace('"100.00"', '"100000.00"');
    await expectError(await postSigned(app, config, tampered, { header: signature }), 401);
    // Re-serialising the JSON (different whitespace) also breaks it: the HMAC is over the raw bytes.
    await expectError(
      await postSigned(app, config, JSON.stringify(event, null, 2), { header: signature }),
      401,
    );
    expect(await recorded(event.data.transfer.id)).toBeUndefined();
  });

  it('rejects a missing or malformed signature header (400)', async () => {
    const body = JSON.stringify(transferEvent({}));
    const res = await app.request('/webhooks/bank', {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json' },
    });
    await expectError(res, 400);
    await expectError(await postSigned(app, config, body, { header: 'v1=abc' }), 400);
    await expectError(await postSigned(app, config, body, { header: 'garbage' }), 400);
  });

  it('rejects a stale or future timestamp beyond BANK_WEBHOOK_TOLERANCE_SECONDS (401), even correctly signed', async () => {
    const now = Math.floor(Date.now() / 1000);
    const stale = transferEvent({});
    // 310, not 301: the server reads its clock a moment later, and a second ticking over in between would put
    // now + 301 exactly at the tolerance (accepted), which made this test fail now and then.
    await expectError(await postSigned(app, config, JSON.stringify(stale), { t: now - 310 }), 401);
    await expectError(await postSigned(app, config, JSON.stringify(stale), { t: now + 310 }), 401);
    expect(await recorded(stale.data.transfer.id)).toBeUndefined();
    // Within the window it is fine.
    expect((await postSigned(app, config, JSON.stringify(stale), { t: now - 200 })).status).toBe(200);
  });

  it('a replayed request is harmless inside the window (stored once) and rejected after it', async () => {
    const event = transferEvent({});
    const body = JSON.stringify(event);
    const t = Math.floor(Date.now() / 1000);
    const header = signBankWebhook(config.bank.webhookSecret, body, t);
    const first = await postSigned(app, config, body, { header });
    const replay = await postSigned(app, config, body, { header });
    expect(first.status).toBe(200);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ duplicate: true, result: 'already_handled' });
    const rows = await api.tdb.db
      .selectFrom('bank_transfers')
      .select('id')
      .where('id', '=', event.data.transfer.id)
      .execute();
    expect(rows).toHaveLength(1);
    // The same captured bytes and header, presented after the tolerance: rejected.
    const oldHeader = signBankWebhook(config.bank.webhookSecret, body, t - 3600);
    await expectError(await postSigned(app, config, body, { header: oldHeader }), 401);
  });

  it('accepts any matching v1 among several (secret rotation)', async () => {
    const body = JSON.stringify(transferEvent({}));
    const t = Math.floor(Date.now() / 1000);
    const good = signBankWebhook(config.bank.webhookSecret, body, t).split(',')[1];
    const header = `t=${t},v1=${'a'.repeat(64)},${good}`;
    expect((await postSigned(app, config, body, { header })).status).toBe(200);
  });

  it('rejects a signed but invalid event body with a 400 naming the field', async () => {
    const event = transferEvent({ amount: '1.123456789' });
    const res = await postSigned(app, config, JSON.stringify(event));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('amount');
    const notJson = await postSigned(app, config, 'not json');
    await expectError(notJson, 400);
  });

  it('is mounted by createApp at POST /webhooks/bank with the one error shape', async () => {
    const { createApp } = await import('../../api/app.js');
    const full = createApp(api.deps);
    const body = JSON.stringify(transferEvent({ reference: 'via createApp' }));
    await expectError(await full.request('/webhooks/bank', { method: 'POST', body }), 400);
    expect((await postSigned(full, config, body)).status).toBe(200);
  });

  it('acknowledges event types it does not handle without recording anything', async () => {
    const body = JSON.stringify({ id: 'evt_other', type: 'payout.completed', created: 1 });
    const res = await postSigned(app, config, body);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: true, ignored: 'payout.completed' });
  });
});

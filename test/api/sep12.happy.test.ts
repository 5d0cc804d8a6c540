import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerView } from '../../api/sep12/service.js';
import {
  KYC_SIGNATURE_HEADER,
  KYC_TIMESTAMP_HEADER,
  signKycWebhook,
  verifyCallbackSignature,
} from '../../core/kyc/signatures.js';
import { customerStatusForTier } from '../../db/customers.js';
import {
  bearer,
  JPEG,
  jsonPut,
  type KycHarness,
  newAccount,
  PNG,
  startCallbackReceiver,
  startKycHarness,
  tier1Fields,
  waitFor,
} from './sep12.helpers.js';

describe('SEP-12 happy paths (real Postgres, real sandbox KYC provider)', () => {
  let h: KycHarness;
  beforeAll(async () => {
    h = await startKycHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const get = async (token: string, query = '') => {
    const res = await h.app.request(`/kyc/customer${query}`, { headers: bearer(token) });
    return { status: res.status, body: (await res.json()) as CustomerView, res };
  };

  it('S12-06: an unknown customer gets 200 NEEDS_INFO with the tier-1 fields and no id', async () => {
    const token = await h.token(newAccount());
    const { status, body, res } = await get(token);
    expect(status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(body.id).toBeUndefined();
    expect(body.status).toBe('NEEDS_INFO');
    expect(Object.keys(body.fields).sort()).toEqual([
      'email_address',
      'first_name',
      'last_name',
      'mobile_number',
    ]);
    // S12-08: type, description, optional
    expect(body.fields.email_address).toEqual({ type: 'string', description: 'Email address' });
    expect(body.fields.mobile_number?.optional).toBe(true);
  });

  it('S12-05 / issue 6: an amount above KYC_TIER1_MAX_AMOUNT asks for the tier-2 fields (binary ones typed binary)', async () => {
    const token = await h.token(newAccount());
    const { body } = await get(token, '?amount=1000.0000001&type=sep24-deposit');
    expect(body.fields.photo_id_front).toMatchObject({ type: 'binary' });
    expect(body.fields.birth_date).toMatchObject({ type: 'date' });
    expect(body.fields.id_type?.choices).toEqual(['passport', 'drivers_license', 'id_card']);
    const exactly = await get(token, '?amount=1000');
    expect(exactly.body.fields.photo_id_front).toBeUndefined();
  });

  it('S12-12..14, S12-23..25: PUT tier 1 → PROCESSING → sandbox approves → ACCEPTED; signed callbacks; never asked again', async () => {
    const account = newAccount();
    const token = await h.token(account);
    const wallet = await startCallbackReceiver(1); // first delivery fails: retried with back-off
    try {
      const put = await h.app.request(
        '/kyc/customer',
        jsonPut(token, { ...tier1Fields(), type: 'sep24-deposit' }),
      );
      expect(put.status).toBe(202);
      const { id } = (await put.json()) as { id: string };
      expect(typeof id).toBe('string');
      // S12-22: register the callback while PROCESSING
      const cb = await h.app.request('/kyc/customer/callback', jsonPut(token, { url: wallet.url }));
      expect(cb.status).toBe(200);

      // S12-13: the same PUT again returns the same id, no duplicate
      const again = await h.app.request('/kyc/customer', jsonPut(token, tier1Fields()));
      expect(((await again.json()) as { id: string }).id).toBe(id);

      const accepted = await waitFor(
        async () => {
          const { body } = await get(token);
          return body.status === 'ACCEPTED' ? body : undefined;
        },
        20_000,
        'ACCEPTED',
      );
      expect(accepted.id).toBe(id);
      // one check was enough: an approval does not trigger another round
      const checks = await h.tdb.db
        .selectFrom('kyc_checks')
        .select('status')
        .where('customer_id', '=', id)
        .execute();
      expect(checks).toEqual([{ status: 'approved' }]);
      expect(accepted.provided_fields?.last_name?.status).toBe('ACCEPTED');
      // S12-08: an ACCEPTED customer has no non-optional entries
      expect(Object.values(accepted.fields).every((f) => f.optional === true)).toBe(true);

      // The callback carried the GET body, signed by SIGNING_KEY over "<t>.<host>.<body>" (S12-24/25)
      const delivered = await waitFor(
        async () => wallet.received.find((r) => JSON.parse(r.body).status === 'ACCEPTED'),
        20_000,
        'callback',
      );
      expect(delivered.signature).toMatch(/^t=\d+, s=/);
      const verdict = verifyCallbackSignature(
        h.config.stellar.signingKey,
        delivered.url,
        delivered.body,
        delivered.signature!,
      );
      expect(verdict.ok).toBe(true);
      expect(Math.abs(verdict.t! - Date.now() / 1000)).toBeLessThan(60);
      // tampering breaks it
      expect(
        verifyCallbackSignature(
          h.config.stellar.signingKey,
          delivered.url,
          delivered.body.replace('ACCEPTED', 'REJECTED'),
          delivered.signature!,
        ).ok,
      ).toBe(false);

      // Repository function the SEP-24 flow uses
      await expect(customerStatusForTier(h.tdb.db, { account, memo: null }, 1)).resolves.toMatchObject({
        status: 'ACCEPTED',
        customerId: id,
      });
      const tier2 = await customerStatusForTier(h.tdb.db, { account, memo: null }, 2);
      expect(tier2.status).toBe('NEEDS_INFO');
      expect(tier2.missingFields).toContain('photo_id_front');

      // Never asked again for tier 1 on a later transaction (any small amount)
      const later = await get(token, '?amount=5&type=sep24-withdraw');
      expect(later.body.status).toBe('ACCEPTED');
    } finally {
      await wallet.close();
    }
  });

  it('issue 6: tier 2 via multipart with documents; afterwards tier 2 is ACCEPTED and documents are on disk outside the row', async () => {
    const account = newAccount();
    const token = await h.token(account);
    const form = new FormData();
    for (const [k, v] of Object.entries({
      ...tier1Fields(),
      birth_date: '1990-12-31',
      address: '1 Main St\nSpringfield',
      address_country_code: 'USA',
      id_type: 'passport',
      id_number: 'X1234567',
      amount: '5000',
    }))
      form.append(k, v);
    form.append('photo_id_front', new Blob([PNG], { type: 'image/png' }), 'front.png');
    form.append('photo_proof_residence', new Blob([JPEG], { type: 'image/jpeg' }), 'bill.jpg');
    // raise the requested tier first, as a wallet does with GET ?amount=
    await get(token, '?amount=5000');
    const res = await h.app.request('/kyc/customer', { method: 'PUT', headers: bearer(token), body: form });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const files = await h.ctx.blobs.list(id);
    expect(files).toHaveLength(2);
    const row = await h.tdb.db
      .selectFrom('customer_fields')
      .selectAll()
      .where('customer_id', '=', id)
      .where('name', '=', 'photo_id_front')
      .executeTakeFirstOrThrow();
    expect(row.value).toBeNull();
    expect(row.content_type).toBe('image/png');
    expect(row.size_bytes).toBe(PNG.length);
    await waitFor(
      async () => (await customerStatusForTier(h.tdb.db, { account, memo: null }, 2)).status === 'ACCEPTED',
      20_000,
      'tier 2',
    );
    const { body } = await get(token, '?amount=999999');
    expect(body.status).toBe('ACCEPTED');
    expect(body.provided_fields?.photo_id_front).toMatchObject({ type: 'binary', status: 'ACCEPTED' });
  });

  it('sandbox rule "Moreinfo": NEEDS_INFO with last_name REJECTED and an error; resubmitting fixes it', async () => {
    const token = await h.token(newAccount());
    await h.app.request('/kyc/customer', jsonPut(token, tier1Fields('Moreinfo')));
    const needsInfo = await waitFor(
      async () => {
        const { body } = await get(token);
        return body.provided_fields?.last_name?.status === 'REJECTED' ? body : undefined;
      },
      20_000,
      'needs info',
    );
    expect(needsInfo.status).toBe('NEEDS_INFO');
    expect(needsInfo.provided_fields?.last_name?.error).toMatch(/Moreinfo/);
    expect(needsInfo.message).toBeTruthy();
    await h.app.request('/kyc/customer', jsonPut(token, { last_name: 'Doe' }));
    await waitFor(
      async () => (await get(token)).body.status === 'ACCEPTED',
      20_000,
      'accepted after resubmission',
    );
  });

  it('sandbox rule "Reject": REJECTED with a message (S12-07); the status is final', async () => {
    const token = await h.token(newAccount());
    await h.app.request('/kyc/customer', jsonPut(token, tier1Fields('Reject')));
    const rejected = await waitFor(
      async () => {
        const { body } = await get(token);
        return body.status === 'REJECTED' ? body : undefined;
      },
      20_000,
      'rejected',
    );
    expect(typeof rejected.message).toBe('string');
    expect(rejected.message?.length).toBeGreaterThan(0);
    await h.app.request('/kyc/customer', jsonPut(token, { last_name: 'Doe' }));
    expect((await get(token)).body.status).toBe('REJECTED');
  });

  it('S12-03: one G account without a memo may register many customers by memo (SEP-31 style)', async () => {
    const token = await h.token(newAccount());
    const a = await h.app.request('/kyc/customer', jsonPut(token, { ...tier1Fields(), memo: '1' }));
    const b = await h.app.request('/kyc/customer', jsonPut(token, { ...tier1Fields(), memo: '2' }));
    const idA = ((await a.json()) as { id: string }).id;
    const idB = ((await b.json()) as { id: string }).id;
    expect(idA).not.toBe(idB);
    expect((await get(token, '?memo=1')).body.id).toBe(idA);
    expect((await get(token, `?id=${idB}`)).body.id).toBe(idB);
  });

  it('S12-09 aliases (S9-07): family_name/given_name are stored and reported as last_name/first_name', async () => {
    const token = await h.token(newAccount());
    await h.app.request('/kyc/customer', jsonPut(token, { family_name: 'Doe', given_name: 'Jane' }));
    const { body } = await get(token);
    expect(Object.keys(body.provided_fields ?? {}).sort()).toEqual(['first_name', 'last_name']);
    expect(Object.keys(body.fields)).toContain('email_address');
    expect(body.fields.last_name).toBeUndefined();
  });

  it('S12-20/21: DELETE erases rows and files, keeps only an audit row; GET then shows NEEDS_INFO without id; again → 404', async () => {
    const account = newAccount();
    const token = await h.token(`${account}:77`);
    const form = new FormData();
    for (const [k, v] of Object.entries(tier1Fields())) form.append(k, v);
    form.append('photo_id_front', new Blob([PNG]), 'front.png');
    const put = await h.app.request('/kyc/customer', { method: 'PUT', headers: bearer(token), body: form });
    const { id } = (await put.json()) as { id: string };
    expect(await h.ctx.blobs.list(id)).toHaveLength(1);

    const del = await h.app.request(`/kyc/customer/${account}`, {
      method: 'DELETE',
      headers: { ...bearer(token), 'Content-Type': 'application/json' },
      body: JSON.stringify({ memo: '77' }),
    });
    expect(del.status).toBe(200);
    expect(await h.ctx.blobs.list(id)).toHaveLength(0);
    const left = await h.tdb.db
      .selectFrom('customer_fields')
      .selectAll()
      .where('customer_id', '=', id)
      .execute();
    expect(left).toHaveLength(0);
    const audit = await h.tdb.db
      .selectFrom('kyc_erasures')
      .selectAll()
      .where('customer_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(audit.fields_erased).toBe(4);
    expect(audit.files_erased).toBe(1);
    expect(JSON.stringify(audit)).not.toContain('Jane');
    expect(JSON.stringify(audit)).not.toContain(account);

    const { body } = await get(token);
    expect(body.status).toBe('NEEDS_INFO');
    expect(body.id).toBeUndefined();
    expect(body.provided_fields).toBeUndefined();

    const again = await h.app.request(`/kyc/customer/${account}`, {
      method: 'DELETE',
      headers: bearer(token),
    });
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: string }).error).toBeTruthy();
  });

  it('an approval does not cover data changed while the provider was checking: a new check is started', async () => {
    const account = newAccount();
    const token = await h.token(account);
    const sent: { reference: string; fields: Record<string, string> }[] = [];
    const saved = h.ctx.provider;
    h.ctx.provider = {
      submitCheck: async (req) => {
        sent.push({ reference: req.reference, fields: req.fields });
        return { providerCheckId: `fake-${sent.length}` };
      },
    };
    try {
      await h.app.request('/kyc/customer', jsonPut(token, tier1Fields('Before')));
      expect(sent).toHaveLength(1);
      await h.app.request('/kyc/customer', jsonPut(token, { last_name: 'After' }));
      expect(sent).toHaveLength(1); // a check for this tier is already open
      const body = JSON.stringify({
        event_id: `evt-${sent[0]!.reference}`,
        reference: sent[0]!.reference,
        result: 'approved',
      });
      const ts = Math.floor(Date.now() / 1000);
      const res = await h.app.request('/webhooks/kyc', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [KYC_TIMESTAMP_HEADER]: String(ts),
          [KYC_SIGNATURE_HEADER]: signKycWebhook(h.config.kyc.webhookSecret, ts, body),
        },
        body,
      });
      expect(res.status).toBe(200);
      const { body: view } = await get(token);
      expect(view.status).toBe('PROCESSING');
      expect(view.provided_fields?.first_name?.status).toBe('ACCEPTED');
      expect(view.provided_fields?.last_name?.status).toBe('PROCESSING');
      expect((await customerStatusForTier(h.tdb.db, { account, memo: null }, 1)).status).toBe('PROCESSING');
      // the changed name went to a fresh check
      expect(sent).toHaveLength(2);
      expect(sent[1]!.fields.last_name).toBe('After');
    } finally {
      h.ctx.provider = saved;
    }
  });

  it('X-11: lang=es localizes descriptions; an unknown lang falls back to English', async () => {
    const token = await h.token(newAccount());
    expect((await get(token, '?lang=es')).body.fields.email_address?.description).toBe('Correo electrónico');
    expect((await get(token, '?lang=xx')).body.fields.email_address?.description).toBe('Email address');
  });
});

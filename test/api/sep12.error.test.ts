import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerView } from '../../api/sep12/service.js';
import {
  bearer,
  jsonPut,
  type KycHarness,
  newAccount,
  PNG,
  startKycHarness,
  tier1Fields,
} from './sep12.helpers.js';

describe('SEP-12 errors: formats, languages, uploads, parameters', () => {
  let h: KycHarness;
  beforeAll(async () => {
    h = await startKycHarness({ env: { KYC_VERIFY_FIELDS: 'mobile_number' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  const put = async (token: string, body: Record<string, string>) => {
    const res = await h.app.request('/kyc/customer', jsonPut(token, body));
    return {
      status: res.status,
      body: (await res.json()) as { error: string; fields?: Record<string, string>; id?: string },
    };
  };

  it('S9-02 / S12-12: bad email, date, alpha-3 country and E.164 phone are 400 with one message per field (en)', async () => {
    const token = await h.token(newAccount());
    const { status, body } = await put(token, {
      email_address: 'not-an-email',
      birth_date: '1990-02-30',
      address_country_code: 'US',
      mobile_number: '0612 345 678',
    });
    expect(status).toBe(400);
    expect(typeof body.error).toBe('string');
    expect(body.fields?.email_address).toMatch(/^Email address: enter a valid email address/);
    expect(body.fields?.birth_date).toMatch(/^Date of birth: enter a real date as YYYY-MM-DD/);
    expect(body.fields?.address_country_code).toMatch(/3-letter ISO 3166-1 country code/);
    expect(body.fields?.mobile_number).toMatch(/E\.164/);
    for (const m of Object.values(body.fields!)) expect(body.error).toContain(m);
    // nothing was stored
    const get = await h.app.request('/kyc/customer', { headers: bearer(token) });
    expect(((await get.json()) as { id?: string }).id).toBeUndefined();
  });

  it('X-11: the same errors in Spanish with lang=es', async () => {
    const token = await h.token(newAccount());
    const { status, body } = await put(token, {
      lang: 'es',
      email_address: 'x@',
      birth_date: '31/12/1990',
      address_country_code: 'ESPAÑA',
      mobile_number: '612345678',
    });
    expect(status).toBe(400);
    expect(body.fields?.email_address).toBe(
      'Correo electrónico: introduce un correo electrónico válido, como nombre@ejemplo.com.',
    );
    expect(body.fields?.birth_date).toMatch(
      /^Fecha de nacimiento: introduce una fecha real con el formato AAAA-MM-DD/,
    );
    expect(body.fields?.address_country_code).toMatch(/código de país ISO 3166-1 de 3 letras/);
    expect(body.fields?.mobile_number).toMatch(/formato internacional E\.164/);
  });

  it('X-11: an unknown or regional lang falls back sensibly (xx → en, es-MX → es)', async () => {
    const token = await h.token(newAccount());
    expect((await put(token, { lang: 'xx', email_address: 'bad' })).body.fields?.email_address).toMatch(
      /^Email address:/,
    );
    expect((await put(token, { lang: 'es-MX', email_address: 'bad' })).body.fields?.email_address).toMatch(
      /^Correo electrónico:/,
    );
  });

  it('S9-02: a birth date in the future, an unknown alpha-3 code and a bad id_type are rejected', async () => {
    const token = await h.token(newAccount());
    const { status, body } = await put(token, {
      birth_date: '2999-01-01',
      address_country_code: 'XYZ',
      id_type: 'library_card',
    });
    expect(status).toBe(400);
    expect(body.fields?.birth_date).toMatch(/cannot be in the future/);
    expect(body.fields?.address_country_code).toMatch(/3-letter/);
    expect(body.fields?.id_type).toMatch(/passport, drivers_license, id_card/);
  });

  it('S9-08: a binary field sent as text is 400', async () => {
    const token = await h.token(newAccount());
    const { status, body } = await put(token, { photo_id_front: 'aGVsbG8=' });
    expect(status).toBe(400);
    expect(body.fields?.photo_id_front).toMatch(/upload this as a file/);
  });

  it('S12-26-like: an oversized document is 413, a document of the wrong type is 400; neither is stored', async () => {
    const token = await h.token(newAccount());
    const big = new Uint8Array(64 * 1024 + 1);
    big.set(PNG);
    const form = new FormData();
    form.append('first_name', 'Jane');
    form.append('photo_id_front', new Blob([big], { type: 'image/png' }), 'big.png');
    const res = await h.app.request('/kyc/customer', { method: 'PUT', headers: bearer(token), body: form });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/larger than/);

    const wrong = new FormData();
    wrong.append(
      'photo_id_front',
      new Blob([new TextEncoder().encode('#!/bin/sh\necho hi')], { type: 'image/png' }),
      'x.png',
    );
    const res2 = await h.app.request('/kyc/customer', { method: 'PUT', headers: bearer(token), body: wrong });
    expect(res2.status).toBe(400);
    expect(((await res2.json()) as { error: string }).error).toMatch(/JPEG, PNG or PDF/);

    const get = await h.app.request('/kyc/customer', { headers: bearer(token) });
    expect(((await get.json()) as { id?: string }).id).toBeUndefined();
  });

  it('S12-05 / S12-10: transaction_id without type, an unknown type and a bad amount are 400; an unknown transaction 404', async () => {
    const token = await h.token(newAccount());
    const cases: [string, number][] = [
      ['?transaction_id=abc', 400],
      ['?type=sep99-teleport', 400],
      ['?amount=1.123456789', 400],
      ['?transaction_id=does-not-exist&type=sep24-deposit', 404],
      ['?id=00000000-0000-0000-0000-000000000000', 404],
    ];
    for (const [query, status] of cases) {
      const res = await h.app.request(`/kyc/customer${query}`, { headers: bearer(token) });
      expect(res.status, query).toBe(status);
      expect(typeof ((await res.json()) as { error: unknown }).error, query).toBe('string');
    }
  });

  it('S12-16 / S12-18: a field in KYC_VERIFY_FIELDS needs its code; a wrong code is 400; the sandbox code confirms it', async () => {
    const token = await h.token(newAccount());
    const created = await put(token, { ...tier1Fields(), mobile_number: '+14155552671' });
    expect(created.status).toBe(202);
    const id = created.body.id!;
    let get = await h.app.request('/kyc/customer', { headers: bearer(token) });
    let body = (await get.json()) as CustomerView;
    expect(body.status).toBe('NEEDS_INFO');
    expect(body.provided_fields?.mobile_number?.status).toBe('VERIFICATION_REQUIRED');

    const wrong = await h.app.request(
      '/kyc/customer/verification',
      jsonPut(token, { id, mobile_number_verification: '000000' }),
    );
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toMatch(/verification code is wrong/);

    const unknown = await h.app.request(
      '/kyc/customer/verification',
      jsonPut(token, { id: '00000000-0000-0000-0000-000000000000', mobile_number_verification: '123456' }),
    );
    expect(unknown.status).toBe(404);

    const ok = await h.app.request(
      '/kyc/customer/verification',
      jsonPut(token, { id, mobile_number_verification: '123456' }),
    );
    expect(ok.status).toBe(200);
    body = (await ok.json()) as CustomerView;
    expect(body.id).toBe(id);
    expect(body.provided_fields?.mobile_number?.status).not.toBe('VERIFICATION_REQUIRED');
    expect(['PROCESSING', 'ACCEPTED']).toContain(body.status);

    // a code for a field that is not waiting for one
    const again = await put(token, { mobile_number_verification: '123456' });
    expect(again.status).toBe(400);
    get = await h.app.request('/kyc/customer', { headers: bearer(token) });
    expect(((await get.json()) as CustomerView).id).toBe(id);
  });

  it('S12-22: callback url is required and must be https (http only in the sandbox); unknown customer 404', async () => {
    const token = await h.token(newAccount());
    const noCustomer = await h.app.request(
      '/kyc/customer/callback',
      jsonPut(token, { url: 'https://wallet.example/cb' }),
    );
    expect(noCustomer.status).toBe(404);
    await put(token, tier1Fields());
    expect((await h.app.request('/kyc/customer/callback', jsonPut(token, {}))).status).toBe(400);
    expect((await h.app.request('/kyc/customer/callback', jsonPut(token, { url: 'ftp://x' }))).status).toBe(
      400,
    );
    expect((await h.app.request('/kyc/customer/callback', jsonPut(token, { url: 'not a url' }))).status).toBe(
      400,
    );
    expect(
      (
        await h.app.request(
          '/kyc/customer/callback',
          jsonPut(token, { url: 'https://u:p@wallet.example/cb' }),
        )
      ).status,
    ).toBe(400);
  });

  it('X-06: a non-JSON body with a JSON content type, and an unsupported content type, are clean 4xx', async () => {
    const token = await h.token(newAccount());
    const bad = await h.app.request('/kyc/customer', {
      method: 'PUT',
      headers: { ...bearer(token), 'Content-Type': 'application/json' },
      body: '{nope',
    });
    expect(bad.status).toBe(400);
    const xml = await h.app.request('/kyc/customer', {
      method: 'PUT',
      headers: { ...bearer(token), 'Content-Type': 'application/xml' },
      body: '<a/>',
    });
    expect(xml.status).toBe(415);
    // form-urlencoded works like JSON
    const form = await h.app.request('/kyc/customer', {
      method: 'PUT',
      headers: { ...bearer(token), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(tier1Fields()).toString(),
    });
    expect(form.status).toBe(202);
  });
});

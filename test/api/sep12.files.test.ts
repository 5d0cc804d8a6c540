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

interface FileBody {
  file_id: string;
  content_type: string;
  size: number;
  expires_at: string;
  customer_id: string | null;
}

describe('SEP-12 customer files (S12-17, S12-26, S12-27)', () => {
  let h: KycHarness;
  beforeAll(async () => {
    h = await startKycHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const upload = async (token: string, bytes: Uint8Array, extra: Record<string, string> = {}) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(extra)) form.append(k, v);
    form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }), 'doc.png');
    const res = await h.app.request('/kyc/customer/files', {
      method: 'POST',
      headers: bearer(token),
      body: form,
    });
    return { status: res.status, body: (await res.json()) as FileBody & { error?: string } };
  };
  const listFiles = async (token: string, query: string) => {
    const res = await h.app.request(`/kyc/customer/files${query}`, { headers: bearer(token) });
    return { status: res.status, body: (await res.json()) as { files: FileBody[]; error?: string } };
  };

  it('S12-26: POST /customer/files stores a document and answers file_id, content_type, size, expires_at', async () => {
    const token = await h.token(newAccount());
    const { status, body } = await upload(token, PNG);
    expect(status).toBe(200);
    expect(body.content_type).toBe('image/png');
    expect(body.size).toBe(PNG.length);
    expect(body.expires_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(body.customer_id).toBeNull();
    expect(await h.ctx.blobs.get(`files/${body.file_id}`)).toEqual(PNG);
  });

  it('S12-26: oversize is 413, not a document or no file part is 400', async () => {
    const token = await h.token(newAccount());
    const big = new Uint8Array(64 * 1024 + 1);
    big.set(PNG);
    expect((await upload(token, big)).status).toBe(413);
    expect((await upload(token, new TextEncoder().encode('plain text'))).status).toBe(400);
    const form = new FormData();
    form.append('nofile', 'x');
    const res = await h.app.request('/kyc/customer/files', {
      method: 'POST',
      headers: bearer(token),
      body: form,
    });
    expect(res.status).toBe(400);
  });

  it('S12-17: PUT /customer with photo_id_front_file_id uses the upload; S12-27 lists it by customer_id', async () => {
    const token = await h.token(newAccount());
    const { body: file } = await upload(token, PNG);
    const put = await h.app.request(
      '/kyc/customer',
      jsonPut(token, { ...tier1Fields(), photo_id_front_file_id: file.file_id }),
    );
    expect(put.status).toBe(202);
    const { id } = (await put.json()) as { id: string };
    const view = (await (
      await h.app.request('/kyc/customer', { headers: bearer(token) })
    ).json()) as CustomerView;
    expect(view.provided_fields?.photo_id_front?.type).toBe('binary');
    const byCustomer = await listFiles(token, `?customer_id=${id}`);
    expect(byCustomer.status).toBe(200);
    expect(byCustomer.body.files.map((f) => f.file_id)).toEqual([file.file_id]);
    expect(byCustomer.body.files[0]?.customer_id).toBe(id);
  });

  it('S12-27: file_id or customer_id is required; another account never sees a file (empty list, 200)', async () => {
    const owner = await h.token(newAccount());
    const other = await h.token(newAccount());
    const { body: file } = await upload(owner, PNG);
    expect((await listFiles(owner, '')).status).toBe(400);
    expect((await listFiles(owner, `?file_id=${file.file_id}`)).body.files).toHaveLength(1);
    const foreign = await listFiles(other, `?file_id=${file.file_id}`);
    expect(foreign.status).toBe(200);
    expect(foreign.body.files).toEqual([]);
    // ...and cannot use it
    const put = await h.app.request(
      '/kyc/customer',
      jsonPut(other, { photo_id_front_file_id: file.file_id }),
    );
    expect(put.status).toBe(400);
    expect(((await put.json()) as { error: string }).error).toMatch(/unknown or expired file_id/);
    // a file id on a text field is 400
    const wrongField = await h.app.request(
      '/kyc/customer',
      jsonPut(owner, { first_name_file_id: file.file_id }),
    );
    expect(wrongField.status).toBe(400);
  });

  it('S12-26 expires_at: an unreferenced upload past its expiry cannot be used and is removed with its blob', async () => {
    const token = await h.token(newAccount());
    const { body: stale } = await upload(token, PNG);
    await h.tdb.db
      .updateTable('customer_files')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', stale.file_id)
      .execute();
    const put = await h.app.request(
      '/kyc/customer',
      jsonPut(token, { photo_id_front_file_id: stale.file_id }),
    );
    expect(put.status).toBe(400);
    await upload(token, PNG); // any later upload sweeps expired ones
    expect(await h.ctx.blobs.get(`files/${stale.file_id}`)).toBeUndefined();
    expect((await listFiles(token, `?file_id=${stale.file_id}`)).body.files).toEqual([]);
  });

  it('S12-20: DELETE also erases uploads from POST /customer/files', async () => {
    const account = newAccount();
    const token = await h.token(account);
    const { body: attached } = await upload(token, PNG);
    await h.app.request(
      '/kyc/customer',
      jsonPut(token, { ...tier1Fields(), photo_id_front_file_id: attached.file_id }),
    );
    const { body: loose } = await upload(token, PNG);
    const del = await h.app.request(`/kyc/customer/${account}`, { method: 'DELETE', headers: bearer(token) });
    expect(del.status).toBe(200);
    for (const f of [attached, loose]) {
      expect(await h.ctx.blobs.get(`files/${f.file_id}`)).toBeUndefined();
      expect((await listFiles(token, `?file_id=${f.file_id}`)).body.files).toEqual([]);
    }
  });
});

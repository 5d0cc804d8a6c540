import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptedBlobStore, fsBlobStore, reencryptBlobDir } from '../../api/sep12/blob-store.js';
import { loadConfig } from '../../config/index.js';
import { sandboxKycEncryptionKey } from '../../config/sandbox-keys.js';
import { DecryptionError, type KeyRing, parseKeyRing, UnknownKeyError } from '../../stellar/crypto.js';
import { configIssues } from '../helpers/config.js';
import { productionEnv } from '../helpers/production-env.js';
import { bearer, type KycHarness, newAccount, PNG, startKycHarness, tier1Fields } from './sep12.helpers.js';

/**
 * Issue 15 item 5: KYC documents are AES-256-GCM encrypted at rest under KYC_ENCRYPTION_KEYS (a key ring: the first
 * key encrypts, any decrypts), whether uploaded with POST /customer/files (S12-26) or as a PUT /customer field.
 * The raw bytes on disk are read back to prove the document itself is not there.
 */
const MARKER = Buffer.from('PASSPORT-NUMBER-X1234567-JANE-DOE');
/** A PNG (by its signature) carrying a recognisable personal detail, so its absence on disk means something. */
const DOCUMENT = new Uint8Array(Buffer.concat([Buffer.from(PNG), MARKER, MARKER, MARKER]));

const ring = (spec: string): KeyRing => {
  const r = parseKeyRing(spec);
  if (typeof r === 'string') throw new Error(r);
  return r;
};
const hex = () => randomBytes(32).toString('hex');

function expectCiphertext(raw: Buffer, keyId: string) {
  expect(raw.subarray(0, 5)).toEqual(Buffer.from([0x41, 0x4e, 0x4b, 0x45, 0x01]));
  expect(raw.subarray(6, 6 + keyId.length).toString('ascii')).toBe(keyId);
  expect(raw.includes(MARKER)).toBe(false);
  expect(raw.includes(Buffer.from(PNG.subarray(0, 8)))).toBe(false);
}

describe('SEP-12 documents encrypted at rest (issue 15 item 5, S12-26)', () => {
  let h: KycHarness;
  const keyId = 'k2026';
  beforeAll(async () => {
    h = await startKycHarness({ env: { KYC_ENCRYPTION_KEYS: `${keyId}:${hex()},old:${hex()}` } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('an upload is stored encrypted under the first key; GET /customer/files lists it and it reads back intact', async () => {
    const account = newAccount();
    const token = await h.token(account);
    const form = new FormData();
    form.append('file', new Blob([DOCUMENT], { type: 'image/png' }), 'passport.png');
    const res = await h.app.request('/kyc/customer/files', {
      method: 'POST',
      headers: bearer(token),
      body: form,
    });
    expect(res.status).toBe(200);
    const { file_id } = (await res.json()) as { file_id: string };

    const raw = await readFile(join(h.uploadDir, 'files', file_id));
    expectCiphertext(raw, keyId);
    expect(raw.length).toBeGreaterThan(DOCUMENT.length); // header, iv and tag

    const list = await h.app.request(`/kyc/customer/files?file_id=${file_id}`, { headers: bearer(token) });
    expect(list.status).toBe(200);
    const { files } = (await list.json()) as {
      files: { file_id: string; size: number; content_type: string }[];
    };
    expect(files).toEqual([
      expect.objectContaining({ file_id, size: DOCUMENT.length, content_type: 'image/png' }),
    ]);
    expect(await h.ctx.blobs.get(`files/${file_id}`)).toEqual(DOCUMENT);
  });

  it('a document sent as a PUT /customer field is stored encrypted too', async () => {
    const token = await h.token(newAccount());
    const form = new FormData();
    for (const [k, v] of Object.entries(tier1Fields())) form.append(k, v);
    form.append('photo_id_front', new Blob([DOCUMENT], { type: 'image/png' }), 'front.png');
    const res = await h.app.request('/kyc/customer', { method: 'PUT', headers: bearer(token), body: form });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const [key] = await h.ctx.blobs.list(id);
    expect(key).toBeDefined();
    expectCiphertext(await readFile(join(h.uploadDir, ...key!.split('/'))), keyId);
    expect(await h.ctx.blobs.get(key!)).toEqual(DOCUMENT);
  });
});

describe('key rotation and key errors (issue 15 item 5)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kyc-keys-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a new first key encrypts, the old one still decrypts, re-encryption moves everything to the new key', async () => {
    const a = hex();
    const b = hex();
    const before = encryptedBlobStore(fsBlobStore(dir), ring(`a:${a}`));
    await before.put('c1/photo_id_front-1', DOCUMENT);
    await before.put('files/f1', DOCUMENT);
    // a document written before encryption at rest
    await writeFile(join(dir, 'files', 'legacy'), DOCUMENT);

    const rotated = ring(`b:${b},a:${a}`);
    const during = encryptedBlobStore(fsBlobStore(dir), rotated);
    expect(await during.get('files/f1')).toEqual(DOCUMENT); // old key still reads
    await during.put('files/f2', DOCUMENT);
    expectCiphertext(await readFile(join(dir, 'files', 'f2')), 'b');

    expect(await reencryptBlobDir(dir, rotated)).toEqual({ rotated: 2, encrypted: 1, current: 1 });
    expect(await reencryptBlobDir(dir, rotated)).toEqual({ rotated: 0, encrypted: 0, current: 4 });

    const after = encryptedBlobStore(fsBlobStore(dir), ring(`b:${b}`)); // old key dropped
    for (const key of ['c1/photo_id_front-1', 'files/f1', 'files/f2', 'files/legacy']) {
      expectCiphertext(await readFile(join(dir, ...key.split('/'))), 'b');
      expect(await after.get(key)).toEqual(DOCUMENT);
    }
  });

  it('a missing key, a wrong key and a tampered file are errors that say so, never garbage', async () => {
    const k = hex();
    const store = encryptedBlobStore(fsBlobStore(dir), ring(`x:${k}`));
    await store.put('files/e1', DOCUMENT);

    const missing = encryptedBlobStore(fsBlobStore(dir), ring(`y:${hex()}`));
    const err = await missing.get('files/e1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownKeyError);
    expect((err as UnknownKeyError).code).toBe('unknown_key');
    expect((err as Error).message).toMatch(/key "x".*not configured/);

    const wrong = encryptedBlobStore(fsBlobStore(dir), ring(`x:${hex()}`));
    await expect(wrong.get('files/e1')).rejects.toBeInstanceOf(DecryptionError);

    const raw = await readFile(join(dir, 'files', 'e1'));
    raw[raw.length - 1]! ^= 0x01;
    await writeFile(join(dir, 'files', 'e1'), raw);
    await expect(store.get('files/e1')).rejects.toMatchObject({ code: 'decryption_failed' });

    // the same ciphertext under another blob key (a file moved to another customer) does not decrypt
    await store.put('files/e2', DOCUMENT);
    await writeFile(join(dir, 'files', 'e3'), await readFile(join(dir, 'files', 'e2')));
    await expect(store.get('files/e3')).rejects.toBeInstanceOf(DecryptionError);
  });
});

describe('KYC_ENCRYPTION_KEYS configuration (issue 15 item 5)', () => {
  it('the sandbox derives a key; testnet and mainnet need their own and refuse the sandbox key', () => {
    expect(loadConfig({}).kyc.encryptionKeys.keys.get('sandbox')).toBe(sandboxKycEncryptionKey());
    const { KYC_ENCRYPTION_KEYS: _, ...withoutKey } = productionEnv();
    for (const PROFILE of ['testnet', 'mainnet']) {
      expect(configIssues({ ...withoutKey, PROFILE }).KYC_ENCRYPTION_KEYS).toMatch(/required/);
      expect(
        configIssues({
          ...withoutKey,
          PROFILE,
          KYC_ENCRYPTION_KEYS: `new:${hex()},sandbox:${sandboxKycEncryptionKey()}`,
        }).KYC_ENCRYPTION_KEYS,
      ).toMatch(/sandbox key/);
    }
    const config = loadConfig({
      ...productionEnv(),
      PROFILE: 'mainnet',
      KYC_ENCRYPTION_KEYS: `k2:${'a'.repeat(64)}`,
    });
    expect(config.kyc.encryptionKeys.currentId).toBe('k2');
  });

  it('a malformed key ring is refused at start with the reason', () => {
    expect(configIssues({ KYC_ENCRYPTION_KEYS: 'k1:abc' }).KYC_ENCRYPTION_KEYS).toMatch(/64 hex/);
    expect(configIssues({ KYC_ENCRYPTION_KEYS: `k1:${hex()},k1:${hex()}` }).KYC_ENCRYPTION_KEYS).toMatch(
      /twice/,
    );
    expect(configIssues({ KYC_ENCRYPTION_KEYS: `bad id:${hex()}` }).KYC_ENCRYPTION_KEYS).toMatch(/key id/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchAdminKey } from '../../api/admin/auth.js';
import { issueToken } from '../../api/sep10/jwt.js';
import { newAdminKey, parseAdminKeys } from '../../config/admin-keys.js';
import { ConfigError } from '../../config/index.js';
import { testConfig } from '../helpers/config.js';
import { adminKey, adminTestApp, call, seedTransaction } from './admin-helpers.js';

const ACCOUNT = 'GBZXN7PIRZGNMHGA7MUUUF4GWPY5AYPV6LY4UV2GL6VJGIQRXFDNMADI';

describe('admin API security (issue 9)', () => {
  const reader = adminKey('reader', 'transactions:read');
  const treasury = adminKey('treasury', 'topups:read,topups:write');
  let t: Awaited<ReturnType<typeof adminTestApp>>;

  beforeAll(async () => {
    t = await adminTestApp([reader, treasury]);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function lastAudit() {
    return t.db.selectFrom('admin_audit').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
  }

  it('refuses a request without a key (401 {"error"}) and audits it as denied', async () => {
    const res = await call(t.app, 'GET', '/admin/transactions');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/admin API key required/) });
    expect(await lastAudit()).toMatchObject({
      actor: 'unauthenticated',
      outcome: 'denied',
      status_code: 401,
      action: 'authenticate',
    });
  });

  it('refuses an unknown key', async () => {
    const res = await call(t.app, 'GET', '/admin/transactions', { key: `${reader.raw}x` });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid admin API key');
  });

  it('refuses a valid SEP-10 JWT: wallet tokens are never admin credentials (X-08)', async () => {
    const jwt = await issueToken(t.config, { sub: ACCOUNT } as Parameters<typeof issueToken>[1]);
    const res = await call(t.app, 'GET', '/admin/transactions', { bearer: jwt });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /SEP-10 tokens are not admin credentials/,
    );
    const audit = await lastAudit();
    expect(audit).toMatchObject({ outcome: 'denied', actor: 'unauthenticated' });
    expect(JSON.stringify(audit)).not.toContain(jwt);
  });

  it('refuses a key without the scope (403) and audits the attempted action by key name', async () => {
    const tx = await seedTransaction(t.db, { kind: 'withdrawal' });
    const res = await call(t.app, 'POST', `/admin/withdrawals/${tx.id}/decision`, {
      key: reader.raw,
      body: { decision: 'approve' },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'this admin key lacks the scope transactions:write' });
    expect(await lastAudit()).toMatchObject({
      actor: 'reader',
      action: 'withdrawal.decision',
      target: tx.id,
      outcome: 'denied',
      status_code: 403,
    });

    const kyc = await call(t.app, 'GET', '/admin/kyc', { key: treasury.raw });
    expect(kyc.status).toBe(403);
  });

  it('accepts the key in X-Admin-Key as well', async () => {
    const res = await call(t.app, 'GET', '/admin/transactions', { headers: { 'X-Admin-Key': reader.raw } });
    expect(res.status).toBe(200);
    expect(await lastAudit()).toMatchObject({
      actor: 'reader',
      action: 'transactions.search',
      outcome: 'ok',
    });
  });

  it('is never CORS-open, unlike the SEP endpoints (S1-02)', async () => {
    const res = await call(t.app, 'GET', '/admin/transactions', {
      key: reader.raw,
      headers: { Origin: 'https://evil.example' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await t.app.request('/admin/transactions', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('npm run admin:key entries parse back; only the hash is configured; matching is by hash', () => {
    const { key, entry } = newAdminKey('carol', 'kyc:read,ops:read');
    expect(entry).not.toContain(key);
    const { keys, errors } = parseAdminKeys(`${entry};other:*:${'0'.repeat(64)}`);
    expect(errors).toEqual([]);
    expect(matchAdminKey(keys, key)?.name).toBe('carol');
    expect([...matchAdminKey(keys, key)!.scopes].sort()).toEqual(['kyc:read', 'ops:read']);
    expect(matchAdminKey(keys, `${key} `)).toBeUndefined();
  });

  it('a malformed ADMIN_API_KEYS stops the start-up, naming the key and never its value', () => {
    const bad = `ops:transactions:read,root:${'a'.repeat(64)};dup:*:nothex`;
    let error: unknown;
    try {
      testConfig({ ADMIN_API_KEYS: bad });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues
      .filter((i) => i.key === 'ADMIN_API_KEYS')
      .map((i) => i.message);
    expect(issues.join('\n')).toMatch(/unknown scope "root"/);
    expect(issues.join('\n')).toMatch(/hash must be 64 hex/);
    expect((error as Error).message).not.toContain('a'.repeat(64));
  });

  it('with no ADMIN_API_KEYS configured every admin request is refused', async () => {
    const bare = await adminTestApp([]);
    try {
      const res = await call(bare.app, 'GET', '/admin/transactions', { key: reader.raw });
      expect(res.status).toBe(401);
    } finally {
      await bare.close();
    }
  });
});

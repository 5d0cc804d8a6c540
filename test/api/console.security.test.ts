import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { adminKey, adminTestApp, seedTransaction } from './admin-helpers.js';
import { ConsoleClient, csrfOf, textOf } from './console.helpers.js';

/**
 * The operator console's guards (issue 13 item 4): sign-in with an admin key, a server-side session cookie
 * (HttpOnly, SameSite=Strict, Secure outside the sandbox), a CSRF token on every form, the idle timeout, the
 * admin API's scopes, and the admin API's audit trail for every action.
 */
describe('operator console: sign-in, session, CSRF, scopes, audit (issue 13)', () => {
  const ops = adminKey('olga', '*');
  const reader = adminKey('rita', 'transactions:read');
  let t: Awaited<ReturnType<typeof adminTestApp>>;

  beforeAll(async () => {
    t = await adminTestApp([ops, reader], { ADMIN_CONSOLE_IDLE_MINUTES: '15' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const client = () => new ConsoleClient((path, init) => t.app.request(path, init));
  const audit = (action: string) =>
    t.db.selectFrom('admin_audit').selectAll().where('action', '=', action).orderBy('id').execute();

  async function parked(workflowId: string) {
    return t.temporal.workflow.start('parkedWorkflow', {
      taskQueue: `parked-${randomBytes(4).toString('hex')}`,
      workflowId,
    });
  }
  async function signalNames(workflowId: string) {
    const history = await t.temporal.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? [])
      .filter((e) => e.workflowExecutionSignaledEventAttributes)
      .map((e) => {
        const a = e.workflowExecutionSignaledEventAttributes!;
        const data = a.input?.payloads?.[0]?.data;
        return { name: a.signalName, arg: data ? JSON.parse(Buffer.from(data).toString('utf8')) : undefined };
      });
  }

  it('sends a page without a session to the sign-in form, which says what to paste', async () => {
    const c = client();
    const res = await c.get('/admin/console/transactions');
    expect(res.status).toBe(303);
    expect(res.res.headers.get('location')).toBe('/admin/console/login');
    const login = await c.get('/admin/console/login');
    expect(login.status).toBe(200);
    expect(textOf(login.html)).toContain('Admin key');
    expect(login.res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(login.res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(login.res.headers.get('cache-control')).toBe('no-store');
  });

  it('signs in with a valid key: session cookie HttpOnly, SameSite=Strict, not Secure in the sandbox; only its hash is stored', async () => {
    const c = client();
    const login = await c.get('/admin/console/login');
    const res = await c.post('/admin/console/login', { key: ops.raw, _csrf: csrfOf(login.html) });
    expect(res.status).toBe(303);
    const cookie = res.res.headers.getSetCookie().find((l) => l.startsWith('anchor_console='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/admin\/console/);
    expect(cookie).not.toMatch(/Secure/);
    const value = c.cookies.get('anchor_console')!;
    const rows = await t.db.selectFrom('admin_sessions').selectAll().execute();
    expect(rows.map((r) => r.id_sha256)).toContain(createHash('sha256').update(value).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(value);
    expect(JSON.stringify(rows)).not.toContain(ops.raw);
    const page = await c.get('/admin/console/transactions');
    expect(page.status).toBe(200);
    expect(textOf(page.html)).toContain('Signed in as olga');
    expect((await audit('console.sign_in')).at(-1)).toMatchObject({ actor: 'olga', outcome: 'ok' });
  });

  it('sets the Secure flag outside the sandbox profile', async () => {
    const app = createApp({
      config: { ...t.config, profile: 'testnet' },
      db: t.db,
      temporal: t.temporal,
      logger: (await import('../../config/logger.js')).createLogger('test', 'silent'),
    });
    const c = new ConsoleClient((path, init) => app.request(path, init));
    const login = await c.get('/admin/console/login');
    expect(login.res.headers.getSetCookie().join('\n')).toMatch(/Secure/);
    const res = await c.post('/admin/console/login', { key: ops.raw, _csrf: csrfOf(login.html) });
    expect(res.res.headers.getSetCookie().find((l) => l.startsWith('anchor_console='))).toMatch(/; Secure/);
  });

  it('refuses a wrong key with a page (401) and audits the attempt as denied, never the key', async () => {
    const c = client();
    const login = await c.get('/admin/console/login');
    const wrong = `adm_${randomBytes(24).toString('hex')}`;
    const res = await c.post('/admin/console/login', { key: wrong, _csrf: csrfOf(login.html) });
    expect(res.status).toBe(401);
    expect(textOf(res.html)).toContain('This admin key is not valid.');
    expect(c.cookies.has('anchor_console')).toBe(false);
    // Counted like a failed /admin key (#15 row 6): one row per client IP and window, never the key.
    const last = (await audit('authenticate'))
      .filter((a) => a.target === 'POST /admin/console/login')
      .at(-1)!;
    expect(last).toMatchObject({ actor: 'unauthenticated', outcome: 'denied', status_code: 401 });
    expect(JSON.stringify(last)).not.toContain(wrong);
  });

  it('rate-limits failed sign-ins per client IP: past ADMIN_AUTH_RATE_LIMIT_MAX a 429 page with Retry-After, one counted audit row; a valid key still signs in (#15 row 6)', async () => {
    const limited = await adminTestApp([ops], { ADMIN_AUTH_RATE_LIMIT_MAX: '3' });
    try {
      const c = new ConsoleClient((path, init) => limited.app.request(path, init));
      const statuses: number[] = [];
      let page = '';
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i++) {
        const login = await c.get('/admin/console/login');
        const res = await c.post('/admin/console/login', {
          key: `adm_wrong_${i}`,
          _csrf: csrfOf(login.html),
        });
        statuses.push(res.status);
        page = res.html;
        retryAfter = res.res.headers.get('retry-after');
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      expect(textOf(page)).toMatch(/Too many failed sign-ins from this address\. Try again in \d+ s\./);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      const rows = await limited.db
        .selectFrom('admin_audit')
        .selectAll()
        .where('action', '=', 'authenticate')
        .where('target', '=', 'POST /admin/console/login')
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ attempts: 5, status_code: 429 });
      expect(JSON.stringify(rows)).not.toContain('adm_wrong_');
      const login = await c.get('/admin/console/login');
      const ok = await c.post('/admin/console/login', { key: ops.raw, _csrf: csrfOf(login.html) });
      expect(ok.status).toBe(303);
    } finally {
      await limited.close();
    }
  });

  it('refuses a sign-in form without its CSRF token (403 page)', async () => {
    const c = client();
    await c.get('/admin/console/login');
    const res = await c.post('/admin/console/login', { key: ops.raw, _csrf: 'forged' });
    expect(res.status).toBe(403);
    expect(textOf(res.html)).toContain('Not allowed');
    expect(c.cookies.has('anchor_console')).toBe(false);
  });

  it('refuses a form posted with a wrong or missing CSRF token: 403 page, nothing signalled, audited as denied', async () => {
    const c = client();
    await c.signIn(ops.raw);
    const tx = await seedTransaction(t.db, { kind: 'withdrawal' });
    await parked(`withdraw-${tx.id}`);
    const forged = await c.post(`/admin/console/withdrawals/${tx.id}/decision`, {
      _csrf: 'x'.repeat(43),
      decision: 'approve',
      reason: 'looks fine',
    });
    expect(forged.status).toBe(403);
    expect(textOf(forged.html)).toContain('This form has expired or did not come from the console');
    const missing = await c.post(`/admin/console/withdrawals/${tx.id}/decision`, {
      decision: 'approve',
      reason: 'looks fine',
    });
    expect(missing.status).toBe(403);
    expect(await signalNames(`withdraw-${tx.id}`)).toEqual([]);
    const refused = (await audit('withdrawal.decision')).filter((a) => a.target === tx.id);
    expect(refused.map((a) => [a.actor, a.outcome, a.status_code, a.detail])).toEqual([
      ['olga', 'denied', 403, { refused: 'csrf_token' }],
      ['olga', 'denied', 403, { refused: 'csrf_token' }],
    ]);
    await t.temporal.workflow.getHandle(`withdraw-${tx.id}`).terminate('test done');
  });

  it('a malformed multipart form (no boundary, broken part) is a 400 page, never a 500 (#15 row 4)', async () => {
    const c = client();
    await c.get('/admin/console/login');
    const noBoundary = await c.postRaw('/admin/console/login', 'multipart/form-data', 'key=x');
    expect(noBoundary.status).toBe(400);
    expect(textOf(noBoundary.html)).toContain('could not be read');
    await c.signIn(ops.raw);
    const tx = await seedTransaction(t.db, { kind: 'withdrawal' });
    const broken = await c.postRaw(
      `/admin/console/withdrawals/${tx.id}/decision`,
      'multipart/form-data; boundary=XYZ',
      '--XYZ\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\nabc',
    );
    expect(broken.status).toBe(400);
    expect(textOf(broken.html)).toContain('could not be read');
  });

  it('a POST that is not a form (text/plain, JSON, no Content-Type) is a 415 page, never a 500 (schemathesis ST102)', async () => {
    const c = client();
    await c.get('/admin/console/login');
    for (const type of ['text/plain', 'application/json', '']) {
      const res = await c.postRaw(
        '/admin/console/login',
        type,
        type === 'application/json' ? '{"key":""}' : 'key=&_csrf=',
      );
      expect(res.status, type || 'no type').toBe(415);
      expect(textOf(res.html)).toContain('takes only its own forms');
    }
    await c.signIn(ops.raw);
    const tx = await seedTransaction(t.db, { kind: 'withdrawal' });
    const decision = await c.postRaw(
      `/admin/console/withdrawals/${tx.id}/decision`,
      'text/plain',
      'decision=approve',
    );
    expect(decision.status).toBe(415);
    await t.temporal.workflow
      .getHandle(`withdraw-${tx.id}`)
      .terminate('test done')
      .catch(() => {});
  });

  it('a key without the scope sees a 403 page, as the admin API answers 403, and the attempt is audited', async () => {
    const c = client();
    const csrf = await c.signIn(reader.raw);
    const tx = await seedTransaction(t.db, { kind: 'withdrawal' });
    await parked(`withdraw-${tx.id}`);
    const res = await c.post(`/admin/console/withdrawals/${tx.id}/decision`, {
      _csrf: csrf,
      decision: 'approve',
      reason: 'looks fine',
    });
    expect(res.status).toBe(403);
    expect(textOf(res.html)).toContain('this admin key lacks the scope transactions:write');
    expect(await signalNames(`withdraw-${tx.id}`)).toEqual([]);
    const denied = (await audit('withdrawal.decision')).filter((a) => a.target === tx.id);
    expect(denied.map((a) => [a.actor, a.outcome])).toEqual([['rita', 'denied']]);
    // The page offers no decision form to a reader in the first place; alerts and top-ups are not in its menu.
    const page = await c.get(`/admin/console/transactions/${tx.id}`);
    expect(page.html).not.toContain('/decision');
    expect(page.html).not.toContain('href="/admin/console/alerts"');
    expect((await c.get('/admin/console/alerts')).status).toBe(403);
    await t.temporal.workflow.getHandle(`withdraw-${tx.id}`).terminate('test done');
  });

  it('a decision from the console reaches the workflow through the admin service, named and audited like the API', async () => {
    const c = client();
    const csrf = await c.signIn(ops.raw);
    const tx = await seedTransaction(t.db, { kind: 'withdrawal' });
    await parked(`withdraw-${tx.id}`);
    const empty = await c.post(`/admin/console/withdrawals/${tx.id}/decision`, {
      _csrf: csrf,
      decision: 'reject',
      reason: '   ',
    });
    expect(empty.status).toBe(400);
    expect(textOf(empty.html)).toContain('Reason: is required');
    const res = await c.post(`/admin/console/withdrawals/${tx.id}/decision`, {
      _csrf: csrf,
      decision: 'reject',
      reason: 'name does not match the account',
    });
    expect(res.status).toBe(303);
    expect(res.res.headers.get('location')).toBe(`/admin/console/transactions/${tx.id}?notice=reject`);
    expect(await signalNames(`withdraw-${tx.id}`)).toEqual([
      {
        name: 'operatorDecision',
        arg: { decision: 'reject', operator: 'olga', reason: 'name does not match the account' },
      },
    ]);
    const entries = (await audit('withdrawal.decision')).filter((a) => a.target === tx.id);
    expect(entries.map((a) => [a.actor, a.outcome, a.status_code])).toEqual([
      ['olga', 'error', 400],
      ['olga', 'ok', 303],
    ]);
    expect(entries[1]!.detail).toEqual({ decision: 'reject', reason: 'name does not match the account' });
    const after = await c.get(res.res.headers.get('location')!);
    expect(textOf(after.html)).toContain('Withdrawal rejected');
    await t.temporal.workflow.getHandle(`withdraw-${tx.id}`).terminate('test done');
  });

  it('a decision for a workflow that is not running is a 409 page, not a crash', async () => {
    const c = client();
    const csrf = await c.signIn(ops.raw);
    const tx = await seedTransaction(t.db, { kind: 'withdrawal' });
    const res = await c.post(`/admin/console/withdrawals/${tx.id}/decision`, {
      _csrf: csrf,
      decision: 'approve',
      reason: 'ok',
    });
    expect(res.status).toBe(409);
    expect(textOf(res.html)).toContain(`workflow withdraw-${tx.id} is not running`);
  });

  it('ends a session idle longer than ADMIN_CONSOLE_IDLE_MINUTES, and one whose key was removed', async () => {
    const c = client();
    await c.signIn(ops.raw);
    const hash = createHash('sha256').update(c.cookies.get('anchor_console')!).digest('hex');
    await t.db
      .updateTable('admin_sessions')
      .set({ last_seen_at: new Date(Date.now() - 16 * 60_000) })
      .where('id_sha256', '=', hash)
      .execute();
    const res = await c.get('/admin/console/transactions');
    expect(res.status).toBe(303);
    expect(res.res.headers.get('location')).toBe('/admin/console/login?ended=1');
    expect(
      await t.db.selectFrom('admin_sessions').where('id_sha256', '=', hash).selectAll().execute(),
    ).toEqual([]);
    expect(textOf((await c.get('/admin/console/login?ended=1')).html)).toContain('Your session ended');

    // Same database, a configuration without the key: its session is over at the next request.
    const c2 = client();
    await c2.signIn(reader.raw);
    const withoutReader = createApp({
      config: {
        ...t.config,
        ops: { ...t.config.ops, adminKeys: t.config.ops.adminKeys.filter((k) => k.name !== 'rita') },
      },
      db: t.db,
      temporal: t.temporal,
      logger: (await import('../../config/logger.js')).createLogger('test', 'silent'),
    });
    const cookie = `anchor_console=${c2.cookies.get('anchor_console')}`;
    const gone = await withoutReader.request('/admin/console/transactions', { headers: { Cookie: cookie } });
    expect(gone.status).toBe(303);
  });

  it('signing out deletes the session: the old cookie no longer opens a page', async () => {
    const c = client();
    const csrf = await c.signIn(ops.raw);
    const cookie = c.cookies.get('anchor_console')!;
    const res = await c.post('/admin/console/logout', { _csrf: csrf });
    expect(res.status).toBe(303);
    expect(res.res.headers.get('location')).toBe('/admin/console/login?notice=signed_out');
    const replay = await t.app.request('/admin/console/transactions', {
      headers: { Cookie: `anchor_console=${cookie}` },
      redirect: 'manual',
    });
    expect(replay.status).toBe(303);
    expect((await audit('console.sign_out')).at(-1)).toMatchObject({ actor: 'olga', outcome: 'ok' });
  });

  it('the admin JSON API is unchanged beside it: a console cookie is no API credential', async () => {
    const c = client();
    await c.signIn(ops.raw);
    const res = await t.app.request('/admin/transactions', {
      headers: { Cookie: `anchor_console=${c.cookies.get('anchor_console')}` },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: expect.stringContaining('admin API key required') });
  });

  it('an unknown console path is a console 404 page, not the API JSON', async () => {
    const c = client();
    await c.signIn(ops.raw);
    const res = await c.get('/admin/console/nope');
    expect(res.status).toBe(404);
    expect(res.res.headers.get('content-type')).toContain('text/html');
  });
});

describe('npm run doctor: someone must be able to approve held withdrawals (issue 13)', () => {
  const approver = async (env: Record<string, string>) => {
    const { CHECKS } = await import('../../api/admin/doctor.js');
    const { testConfig } = await import('../helpers/config.js');
    const check = CHECKS.find((c) => c.name === 'admin.approver')!;
    return check.run({ config: testConfig(env), db: undefined as never, temporal: undefined });
  };
  const entry = (name: string, scopes: string) => `${name}:${scopes}:${'b'.repeat(64)}`;

  it('fails in the sandbox too when no key has transactions:write, and says how to get one', async () => {
    const none = await approver({});
    expect(none.ok).toBe(false);
    expect(none.detail).toMatch(/withdrawals above 1000 USDC wait for an operator/);
    expect(none.fix).toMatch(/npm start creates an operator key/);
    expect((await approver({ ADMIN_API_KEYS: entry('rita', 'transactions:read,ops:read') })).ok).toBe(false);
  });

  it('passes once a key holds transactions:write (or *)', async () => {
    expect(await approver({ ADMIN_API_KEYS: entry('ops', '*') })).toMatchObject({
      ok: true,
      detail: expect.stringContaining('ops'),
    });
  });
});

describe('npm start: the sandbox operator key (issue 13)', () => {
  it('is new each run, joins ADMIN_API_KEYS with every scope, and only its hash is written down', async () => {
    const { mkdtempSync, readFileSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { parseAdminKeys } = await import('../../config/admin-keys.js');
    const { matchAdminKey } = await import('../../api/admin/auth.js');
    const { issueSandboxOperatorKey, useSandboxOperatorKey } = await import(
      '../../scripts/lib/operator-key.js'
    );
    const file = join(mkdtempSync(join(tmpdir(), 'opkey-')), 'entry');
    const env: NodeJS.ProcessEnv = { ADMIN_API_KEYS: `rita:transactions:read:${'c'.repeat(64)}` };
    const key = issueSandboxOperatorKey(env, file);
    const { keys, errors } = parseAdminKeys(env.ADMIN_API_KEYS);
    expect(errors).toEqual([]);
    expect(keys.map((k) => k.name)).toEqual(['rita', 'sandbox-operator']);
    expect(matchAdminKey(keys, key)?.scopes.has('transactions:write')).toBe(true);
    expect(readFileSync(file, 'utf8')).not.toContain(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // A second run replaces the key; the doctor beside it sees the same entry as the API.
    const again = issueSandboxOperatorKey(env, file);
    expect(again).not.toBe(key);
    expect(parseAdminKeys(env.ADMIN_API_KEYS).keys.map((k) => k.name)).toEqual(['rita', 'sandbox-operator']);
    const doctorEnv: NodeJS.ProcessEnv = {};
    useSandboxOperatorKey(doctorEnv, file);
    expect(matchAdminKey(parseAdminKeys(doctorEnv.ADMIN_API_KEYS).keys, again)?.name).toBe(
      'sandbox-operator',
    );
    const testnetEnv: NodeJS.ProcessEnv = { PROFILE: 'testnet' };
    useSandboxOperatorKey(testnetEnv, file);
    expect(testnetEnv.ADMIN_API_KEYS).toBeUndefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../api/sep10/jwt.js';
import { type AuthTestApp, createAuthTestApp } from '../helpers/sep10.js';
import { newAccount } from './sep12.helpers.js';

/** SEP-12 as mounted by createApp: KYC_SERVER at /kyc, CORS on every answer, the webhook at /webhooks/kyc. */
describe('SEP-12 inside the whole app', () => {
  let t: AuthTestApp;
  beforeAll(async () => {
    t = await createAuthTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('X-04 (X-02/X-03 applied to SEP-12): preflight and error responses carry CORS headers', async () => {
    const pre = await t.app.request('/kyc/customer', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://wallet.example',
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'Authorization, Content-Type',
      },
    });
    expect(pre.status).toBeLessThan(300);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/PUT/);
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/DELETE/);
    const denied = await t.app.request('/kyc/customer', { headers: { Origin: 'https://wallet.example' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('*');
    expect(denied.headers.get('content-type')).toContain('application/json');
  });

  it('S12-06 through createApp: an authenticated GET answers NEEDS_INFO; the webhook route refuses unsigned calls', async () => {
    const token = await issueToken(t.config, { sub: newAccount() });
    const res = await t.app.request('/kyc/customer', { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('NEEDS_INFO');
    const hook = await t.app.request('/webhooks/kyc', {
      method: 'POST',
      body: '{}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(hook.status).toBe(401);
  });
});

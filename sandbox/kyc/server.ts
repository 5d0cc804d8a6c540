import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Logger } from '../../config/logger.js';
import type { KycCheckRequest } from '../../core/kyc/provider.js';
import { KYC_SIGNATURE_HEADER, KYC_TIMESTAMP_HEADER, signKycWebhook } from '../../core/kyc/signatures.js';
import { retryDelayMs } from '../bank/webhooks.js';
import { KycCheckStore } from './store.js';

/**
 * The sandbox KYC provider: accepts checks (`POST /checks`), decides after `delayMs`, and tells the anchor by
 * a signed webhook, retried with back-off until it gets a 2xx. Tester-driven rules on `last_name`:
 *   "Reject"   → rejected
 *   "Moreinfo" → needs_more_info (last_name must be sent again)
 *   anything else → approved
 * With `dbUrl` the checks live in Postgres (schema `schema`, store.ts): a restarted provider decides the
 * checks still pending and delivers the verdicts still owed. Without it (API tests) they live in memory only.
 */
export type SandboxVerdict = 'approved' | 'rejected' | 'needs_more_info';

export interface SandboxCheck {
  id: string;
  reference: string;
  tier: number;
  verdict: SandboxVerdict;
  status: 'pending' | 'decided' | 'delivered' | 'undeliverable';
  attempts: number;
  /** Field names received (values are not kept after the decision). */
  fieldNames: string[];
}

export interface SandboxKycOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  webhookUrl: string;
  webhookSecret: string;
  delayMs: number;
  logger: Logger;
  /** Bearer key the anchor must send; unset accepts any caller (local sandbox). */
  apiKey?: string | undefined;
  retryBaseMs?: number;
  maxAttempts?: number;
  /** Postgres URL and schema of the provider's own books; unset keeps them in memory. */
  dbUrl?: string;
  schema?: string;
}

export interface SandboxKyc {
  url: string;
  port: number;
  checks: Map<string, SandboxCheck>;
  /** Sends the webhook of a decided check again (same event id): for idempotency tests. */
  redeliver(checkId: string): Promise<number>;
  close(): Promise<void>;
}

export function sandboxVerdict(fields: Record<string, string>): SandboxVerdict {
  const last = (fields.last_name ?? fields.family_name ?? '').trim().toLowerCase();
  if (last === 'reject') return 'rejected';
  if (last === 'moreinfo') return 'needs_more_info';
  return 'approved';
}

export async function startSandboxKyc(opts: SandboxKycOptions): Promise<SandboxKyc> {
  const checks = new Map<string, SandboxCheck>();
  const byReference = new Map<string, string>();
  const timers = new Set<NodeJS.Timeout>();
  const retryBase = opts.retryBaseMs ?? 500;
  const maxAttempts = opts.maxAttempts ?? 10;
  let closed = false;
  const store = opts.dbUrl ? new KycCheckStore(opts.dbUrl, opts.schema ?? 'sandbox_kyc') : undefined;
  /** Writes a check's progress through to Postgres; a failed write is logged and the next change writes again. */
  const persist = async (check: SandboxCheck) => {
    await store?.save(check).catch((err: Error) => {
      opts.logger.warn({ checkId: check.id, error: err.message }, 'sandbox KYC check not saved');
    });
  };

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) fn();
    }, ms);
    timers.add(timer);
  };

  function payload(check: SandboxCheck): string {
    return JSON.stringify({
      event_id: `evt_${check.id}`,
      check_id: check.id,
      reference: check.reference,
      result: check.verdict,
      ...(check.verdict === 'rejected'
        ? { reason: 'The identity document could not be verified (sandbox rule: last name "Reject").' }
        : {}),
      ...(check.verdict === 'needs_more_info'
        ? {
            reason: 'The last name does not match the document (sandbox rule: "Moreinfo").',
            fields: ['last_name'],
          }
        : {}),
    });
  }

  async function post(check: SandboxCheck): Promise<number> {
    const body = payload(check);
    const t = Math.floor(Date.now() / 1000);
    const res = await fetch(opts.webhookUrl, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        [KYC_TIMESTAMP_HEADER]: String(t),
        [KYC_SIGNATURE_HEADER]: signKycWebhook(opts.webhookSecret, t, body),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    return res.status;
  }

  async function deliver(check: SandboxCheck): Promise<void> {
    if (closed) return;
    check.attempts += 1;
    let status = 0;
    try {
      status = await post(check);
    } catch {
      status = 0;
    }
    if (status >= 200 && status < 300) {
      check.status = 'delivered';
      await persist(check);
      return;
    }
    if (check.attempts >= maxAttempts) {
      check.status = 'undeliverable';
      await persist(check);
      opts.logger.warn({ checkId: check.id, status }, 'sandbox KYC webhook undeliverable');
      return;
    }
    await persist(check);
    later(retryDelayMs(check.attempts, retryBase, 30_000), () => void deliver(check));
  }

  function track(check: SandboxCheck) {
    checks.set(check.id, check);
    byReference.set(check.reference, check.id);
  }
  function decideLater(check: SandboxCheck, ms: number) {
    later(ms, () => {
      check.status = 'decided';
      void persist(check).then(() => deliver(check));
    });
  }

  // A restart picks up where the last run stopped: undecided checks at their time, owed verdicts at once.
  if (store) {
    await store.init();
    for (const { check, decideAt } of await store.all()) {
      track(check);
      if (check.status === 'pending') decideLater(check, Math.max(0, decideAt.getTime() - Date.now()));
      else if (check.status === 'decided') later(0, () => void deliver(check));
    }
  }

  const app = new Hono();
  app.get('/', (c) => c.json({ service: 'sandbox-kyc', checks: checks.size }));
  app.post('/checks', async (c) => {
    if (opts.apiKey && c.req.header('Authorization') !== `Bearer ${opts.apiKey}`) {
      return c.json({ error: 'unauthorized' }, 401);
    }
    let body: KycCheckRequest;
    try {
      body = (await c.req.json()) as KycCheckRequest;
    } catch {
      return c.json({ error: 'body must be JSON' }, 400);
    }
    if (typeof body?.reference !== 'string' || typeof body.fields !== 'object' || body.fields === null) {
      return c.json({ error: 'reference and fields are required' }, 400);
    }
    const existing = byReference.get(body.reference);
    if (existing) return c.json({ id: existing, status: checks.get(existing)?.status }, 202);
    const fresh: SandboxCheck = {
      id: `chk_${randomUUID()}`,
      reference: body.reference,
      tier: Number(body.tier) || 1,
      verdict: sandboxVerdict(body.fields),
      status: 'pending',
      attempts: 0,
      fieldNames: [...Object.keys(body.fields), ...Object.keys(body.documents ?? {})],
    };
    // Stored before it is answered: the 202 promises a verdict, which a restart must not take back.
    const check = store ? await store.insert(fresh, new Date(Date.now() + opts.delayMs)) : fresh;
    if (check.id !== fresh.id) return c.json({ id: check.id, status: check.status }, 202);
    track(check);
    decideLater(check, opts.delayMs);
    return c.json({ id: check.id, status: check.status }, 202);
  });
  app.get('/checks/:id', (c) => {
    const check = checks.get(c.req.param('id'));
    return check ? c.json(check) : c.json({ error: 'no such check' }, 404);
  });

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: opts.host ?? '127.0.0.1', port: opts.port }, () =>
      resolve(s),
    );
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    checks,
    async redeliver(checkId) {
      const check = checks.get(checkId);
      if (!check) throw new Error('no such check');
      return post(check);
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store?.close();
    },
  };
}

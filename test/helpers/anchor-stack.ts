import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Asset, Keypair, type Memo, Operation, TransactionBuilder, type xdr } from '@stellar/stellar-sdk';
import { createApp } from '../../api/app.js';
import type { AppConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import type { SandboxBank, SandboxBankOptions } from '../../sandbox/bank/server.js';
import { type SandboxKyc, startSandboxKyc } from '../../sandbox/kyc/server.js';
import { setupSandboxAccounts } from '../../scripts/accounts-setup.js';
import { freePort } from '../../scripts/lib/ports.js';
import { observerWorkflowId, startObservers } from '../../worker/observers.js';
import { startTestBank, waitFor } from './bank.js';
import { testConfig } from './config.js';
import { insertVerifiedCustomer } from './customers.js';
import { createTestDb, type TestDb } from './db.js';
import { type SandboxHorizonHandle, startSandboxHorizon } from './horizon.js';
import { authenticate } from './sep10.js';
import { startTestWorker, type TestTemporal } from './temporal.js';

/**
 * The whole anchor in one test process (test/e2e/deposit.e2e.test.ts, withdraw.e2e.test.ts and test/guide use it):
 * a fresh schema, the sandbox Horizon (accounts set up by scripts/accounts-setup.ts), the sandbox bank and KYC
 * provider wired to the API's webhooks, a real worker on its own task queue, and createApp served on a free port.
 */
export interface AnchorStack {
  baseUrl: string;
  config: AppConfig;
  tdb: TestDb;
  horizon: SandboxHorizonHandle;
  bank: SandboxBank;
  kyc: SandboxKyc;
  temporal: TestTemporal;
  app: ReturnType<typeof createApp>;
  /** SEP-10 over HTTP for `user`. */
  token(user: Keypair, opts?: { memo?: string }): Promise<string>;
  /** A funded wallet user trusting the asset; `verified` (default true) = tier-2 customer already accepted. */
  /** A funded wallet account; with `trustLine: false` it has no trust line to the anchored asset (no balance then). */
  walletUser(opts?: { verified?: boolean; balance?: string; trustLine?: boolean }): Promise<Keypair>;
  /** Balance of the anchored asset as Horizon prints it, undefined without a trust line. */
  balanceOf(account: string): Promise<string | undefined>;
  submit(source: Keypair, ops: xdr.Operation[], memo?: Memo): Promise<{ hash: string }>;
  /** JSON request with an optional bearer token: status and parsed body. */
  call(
    path: string,
    opts?: { jwt?: string; method?: string; body?: unknown },
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** GET /sep24/transaction until its status is one of `statuses`. */
  waitForStatus(
    jwt: string,
    id: string,
    statuses: string[],
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface AnchorStackOptions {
  /** schema / task-queue prefix */
  prefix: string;
  env?: Record<string, string>;
  /** overrides of the sandbox bank (e.g. a webhook URL that points nowhere) */
  bank?: Partial<SandboxBankOptions>;
  /** where the bank sends its webhooks (default: the API's /webhooks/bank) */
  bankWebhookUrl?: string;
  kycDelayMs?: number;
  /** start the payment observers (withdrawals); needs its own DISTRIBUTION_SECRET in env */
  observers?: boolean;
}

export async function startAnchorStack(opts: AnchorStackOptions): Promise<AnchorStack> {
  const tdb = await createTestDb(opts.prefix);
  const horizon = await startSandboxHorizon();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    PUBLIC_URL: baseUrl,
    HORIZON_URL: horizon.url,
    TEMPORAL_TASK_QUEUE: `${opts.prefix}-${randomBytes(4).toString('hex')}`,
    SEP10_RATE_LIMIT_MAX: '100000',
    ...opts.env,
  };
  const bank = await startTestBank(testConfig(env), opts.bankWebhookUrl ?? `${baseUrl}/webhooks/bank`, {
    deliveryIntervalMs: 50,
    ...opts.bank,
  });
  const base = testConfig(env);
  const kyc = await startSandboxKyc({
    port: 0,
    webhookUrl: `${baseUrl}/webhooks/kyc`,
    webhookSecret: base.kyc.webhookSecret,
    delayMs: opts.kycDelayMs ?? 100,
    retryBaseMs: 100,
    logger: createLogger('sandbox-kyc', 'silent'),
  });
  const config = testConfig({ ...env, BANK_API_URL: bank.url, KYC_PROVIDER_URL: kyc.url });
  await setupSandboxAccounts(config, { horizon: horizon.server });
  const temporal = await startTestWorker(
    { config, db: tdb.db, horizon: horizon.server },
    { taskQueue: config.temporal.taskQueue },
  );
  if (opts.observers) {
    await startObservers(temporal.client, config, { taskQueue: config.temporal.taskQueue, maxWaitMs: 1000 });
  }
  const app = createApp({
    config,
    db: tdb.db,
    temporal: temporal.client,
    logger: createLogger('e2e', 'silent'),
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => resolve(s));
  });

  const api = { request: (path: string, init?: RequestInit) => fetch(`${baseUrl}${path}`, init) };
  const asset = new Asset(config.stellar.assetCode, config.stellar.issuerAccount);

  async function submit(source: Keypair, ops: xdr.Operation[], memo?: Memo) {
    const account = await horizon.server.loadAccount(source.publicKey());
    const builder = new TransactionBuilder(account, {
      fee: '100',
      networkPassphrase: config.stellar.networkPassphrase,
    }).setTimeout(60);
    for (const op of ops) builder.addOperation(op);
    if (memo) builder.addMemo(memo);
    const tx = builder.build();
    tx.sign(source);
    return horizon.server.submitTransaction(tx);
  }

  async function call(path: string, o: { jwt?: string; method?: string; body?: unknown } = {}) {
    const headers: Record<string, string> = {};
    if (o.jwt) headers.Authorization = `Bearer ${o.jwt}`;
    if (o.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${baseUrl}${path}`, {
      method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
      headers,
      ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
    });
    const text = await res.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    return { status: res.status, body };
  }

  return {
    baseUrl,
    config,
    tdb,
    horizon,
    bank,
    kyc,
    temporal,
    app,
    token: (user, o = {}) => authenticate(api, config, user, o),
    submit,
    call,
    async walletUser(o = {}) {
      const user = Keypair.random();
      await horizon.friendbot(user.publicKey());
      if (o.trustLine !== false) await submit(user, [Operation.changeTrust({ asset })]);
      if (o.balance && o.trustLine !== false) {
        await submit(Keypair.fromSecret(config.stellar.issuerSecret!), [
          Operation.payment({ destination: user.publicKey(), asset, amount: o.balance }),
        ]);
      }
      if (o.verified !== false) {
        await insertVerifiedCustomer(tdb.db, user.publicKey());
      }
      return user;
    },
    async balanceOf(account) {
      const acc = await horizon.server.loadAccount(account);
      const line = acc.balances.find(
        (b) =>
          'asset_code' in b &&
          b.asset_code === config.stellar.assetCode &&
          b.asset_issuer === config.stellar.issuerAccount,
      );
      return line?.balance;
    },
    waitForStatus(jwt, id, statuses, timeoutMs = 60_000) {
      return waitFor(
        async () => {
          const r = await call(`/sep24/transaction?id=${encodeURIComponent(id)}`, { jwt });
          const tx = r.body.transaction as Record<string, unknown> | undefined;
          return tx && statuses.includes(String(tx.status)) ? tx : undefined;
        },
        timeoutMs,
        `transaction ${id} to reach ${statuses.join('|')}`,
      );
    },
    async close() {
      await new Promise((r) => server.close(r));
      if (opts.observers) {
        for (const account of config.payments.receivingAccounts) {
          await temporal.client.workflow
            .getHandle(observerWorkflowId(account))
            .terminate('test done')
            .catch(() => {});
        }
      }
      await temporal.stop();
      await bank.close({ dropSchema: true });
      await kyc.close();
      await horizon.stop();
      await tdb.destroy();
    },
  };
}

export { bankTransfer } from './bank.js';
export { launchChromium } from './browser.js';

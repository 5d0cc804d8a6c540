import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { Keypair } from '@stellar/stellar-sdk';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { createDb } from '../../db/index.js';
import { STROOPS_PER_UNIT, toStroops } from './amount.js';
import { createHorizonApp } from './app.js';
import { Ledger } from './ledger.js';
import { HorizonStore } from './store.js';

export { Ledger } from './ledger.js';

export interface HorizonSandboxOptions {
  /**
   * an existing Kysely instance (tables are schema-qualified, so its search_path does not matter). With `db` the
   * caller owns the pool and no advisory lock is taken (it would pin one of its connections).
   */
  db?: Kysely<any>;
  /** used when `db` is not given; the sandbox then owns (and closes) its pool */
  databaseUrl?: string;
  /** Postgres schema holding the sandbox's tables (created on start); default sandbox_horizon */
  schema?: string;
  networkPassphrase: string;
  /** default 5000 (the network's pace); tests use 200–1000 */
  ledgerCloseMs?: number;
  /** operations per ledger; submissions beyond it wait for the next ledger (default 1000) */
  maxOpsPerLedger?: number;
  /** stroops per operation (default 100) */
  baseFee?: number | bigint;
  /** XLM per reserve unit (default '0.5') */
  baseReserve?: string;
  /** destination units per source unit for any path payment pair not in `pathPaymentRates` (default '1'; '0' = no path) */
  pathPaymentRate?: string;
  /** per pair, keyed `'native>USDC:G...'` (source>destination; the reverse pair uses the inverse) */
  pathPaymentRates?: Record<string, string>;
  /** what friendbot gives (default '10000') */
  friendbotAmount?: string;
  /** POST /transactions answers 504 after this long in the queue (default 60000) */
  submissionTimeoutMs?: number;
  hostname?: string;
  /** unexpected errors (a failed ledger close, a 500) are reported here; nothing secret is ever passed */
  onError?: (err: unknown, where: 'ledger-close' | 'http') => void;
}

export interface HorizonSandbox {
  app: Hono;
  ledger: Ledger;
  /** the network root account (friendbot's funder); its secret is derivable from the passphrase, as on a standalone network */
  rootKeypair: Keypair;
  /** loads or creates the ledger, starts closing ledgers and listens on `port` (0 = any free port) */
  start(port?: number): Promise<{ port: number; url: string }>;
  stop(): Promise<void>;
  /** closes a ledger now instead of waiting for the timer */
  closeLedgerNow(): Promise<void>;
}

export function rateFunction(defaultRate: string, rates: Record<string, string>) {
  const scaled = new Map<string, bigint>();
  for (const [pair, rate] of Object.entries(rates)) {
    const [from, to] = pair.split('>');
    if (!from || !to) throw new Error(`path payment rate key must be 'FROM>TO': ${pair}`);
    const r = toStroops(rate);
    scaled.set(`${from}>${to}`, r);
    if (r > 0n && !rates[`${to}>${from}`])
      scaled.set(`${to}>${from}`, (STROOPS_PER_UNIT * STROOPS_PER_UNIT) / r);
  }
  const fallback = toStroops(defaultRate);
  return (from: string, to: string): bigint | undefined => {
    const r = scaled.get(`${from}>${to}`) ?? fallback;
    return r > 0n ? r : undefined;
  };
}

export function createHorizonSandbox(o: HorizonSandboxOptions): HorizonSandbox {
  if (!o.db && !o.databaseUrl) throw new Error('createHorizonSandbox needs db or databaseUrl');
  const ownsDb = !o.db;
  const db = o.db ?? createDb({ url: o.databaseUrl!, poolSize: 5 }); // one connection holds the schema lock
  const store = new HorizonStore(db, o.schema ?? 'sandbox_horizon');
  const rate = rateFunction(o.pathPaymentRate ?? '1', o.pathPaymentRates ?? {});
  const ledger = new Ledger({
    passphrase: o.networkPassphrase,
    baseFee: BigInt(o.baseFee ?? 100),
    baseReserve: toStroops(o.baseReserve ?? '0.5'),
    maxOpsPerLedger: o.maxOpsPerLedger ?? 1000,
    ledgerCloseMs: o.ledgerCloseMs ?? 5000,
    rate,
    store,
    lockSchema: ownsDb,
    onCloseError: (err) => o.onError?.(err, 'ledger-close'),
  });
  const shutdown = new AbortController();
  const app = createHorizonApp({
    ledger,
    rate,
    store,
    passphrase: o.networkPassphrase,
    friendbotAmount: o.friendbotAmount ?? '10000',
    submissionTimeoutMs: o.submissionTimeoutMs ?? 60_000,
    onError: (err) => o.onError?.(err, 'http'),
    shutdown: shutdown.signal,
  });
  let server: ServerType | undefined;
  let stopped = false;

  return {
    app,
    ledger,
    rootKeypair: ledger.rootKeypair,
    async start(port = 0) {
      try {
        await ledger.init();
      } catch (err) {
        await ledger.stop().catch(() => {});
        if (ownsDb) await db.destroy();
        stopped = true;
        throw err;
      }
      ledger.start();
      const hostname = o.hostname ?? '127.0.0.1';
      const s = serve({ fetch: app.fetch, hostname, port });
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('listening', () => resolve());
        s.once('error', reject);
      });
      const actual = (s.address() as AddressInfo).port;
      return { port: actual, url: `http://${hostname === '0.0.0.0' ? '127.0.0.1' : hostname}:${actual}` };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      shutdown.abort();
      await ledger.stop();
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
      }
      if (ownsDb) await db.destroy();
    },
    closeLedgerNow: () => ledger.closeLedgerNow(),
  };
}

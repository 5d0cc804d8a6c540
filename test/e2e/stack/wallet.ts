/**
 * The wallet side of the e2e stack tests, over plain HTTP like a wallet backend: SEP-1 toml → SEP-10 with the SDK's
 * WebAuth → SEP-24 and SEP-6 calls and SEP-38 quotes, the hosted pages completed by posting their forms, the bank
 * transfer on the sandbox bank's customer page, and Stellar payments on the sandbox ledger.
 */
import {
  Asset,
  type Horizon,
  Keypair,
  Memo,
  Operation,
  type Transaction,
  TransactionBuilder,
  WebAuth,
  type xdr,
} from '@stellar/stellar-sdk';
import { parse as parseToml } from 'smol-toml';
import { formatFixed7, parseAmount } from '../../../stellar/money.js';
import { bankTransfer as bankPageTransfer } from '../../helpers/bank.js';
import { insertVerifiedCustomer } from '../../helpers/customers.js';
import { type Stack, until } from './index.js';

export { formatFixed7, parseAmount };

export type Sep24Tx = Record<string, unknown> & { id: string; status: string };

/** The front whose GET /transaction answers (each in its own wire form: SEP-6 names the -exchange kinds). */
export type Front = 'sep24' | 'sep6';

export function anchoredAssetId(stack: Stack): string {
  return `stellar:${stack.config.stellar.assetCode}:${stack.config.stellar.issuerAccount}`;
}

export function anchoredAsset(stack: Stack): Asset {
  return new Asset(stack.config.stellar.assetCode, stack.config.stellar.issuerAccount);
}

/** Builds, signs and submits one transaction from `source` (retries a sequence race, which a wallet would too). */
export async function submitOps(
  stack: Stack,
  source: Keypair,
  ops: xdr.Operation[],
  memo?: Memo,
): Promise<Horizon.HorizonApi.SubmitTransactionResponse> {
  const account = await stack.horizon.loadAccount(source.publicKey());
  const builder = new TransactionBuilder(account, {
    fee: '1000',
    networkPassphrase: stack.config.stellar.networkPassphrase,
  }).setTimeout(120);
  for (const op of ops) builder.addOperation(op);
  if (memo) builder.addMemo(memo);
  const tx = builder.build();
  tx.sign(source);
  return stack.horizon.submitTransaction(tx);
}

/**
 * A wallet user: funded by friendbot, trusting the anchored asset, and verified before (tier 2, so the hosted pages skip the KYC form, which has its own tests).
 */
export async function walletUser(stack: Stack): Promise<Keypair> {
  const user = Keypair.random();
  const res = await fetch(`${stack.horizonUrl}/friendbot?addr=${user.publicKey()}`);
  if (!res.ok) throw new Error(`friendbot: ${res.status} ${await res.text()}`);
  await submitOps(stack, user, [Operation.changeTrust({ asset: anchoredAsset(stack) })]);
  await insertVerifiedCustomer(stack.db, user.publicKey());
  return user;
}

/** The sandbox issuer pays `amount` of the asset to each user in one transaction (one sequence number). */
export async function fundUsers(stack: Stack, users: Keypair[], amount: string): Promise<void> {
  const issuer = Keypair.fromSecret(stack.config.stellar.issuerSecret!);
  for (let i = 0; i < users.length; i += 100) {
    await submitOps(
      stack,
      issuer,
      users
        .slice(i, i + 100)
        .map((u) => Operation.payment({ destination: u.publicKey(), asset: anchoredAsset(stack), amount })),
    );
  }
}

/** Balance of the anchored asset in stroops (0n without a trust line). */
export async function assetBalance(stack: Stack, account: string): Promise<bigint> {
  const acc = await stack.horizon.loadAccount(account);
  const line = acc.balances.find(
    (b) =>
      'asset_code' in b &&
      b.asset_code === stack.config.stellar.assetCode &&
      b.asset_issuer === stack.config.stellar.issuerAccount,
  );
  return line ? parseAmount(line.balance) : 0n;
}

interface AnchorToml {
  WEB_AUTH_ENDPOINT: string;
  TRANSFER_SERVER_SEP0024: string;
  TRANSFER_SERVER: string;
  ANCHOR_QUOTE_SERVER?: string;
  SIGNING_KEY: string;
  NETWORK_PASSPHRASE: string;
}

const tomlCache = new Map<string, AnchorToml>();
async function readToml(apiUrl: string): Promise<AnchorToml> {
  const cached = tomlCache.get(apiUrl);
  if (cached) return cached;
  const res = await fetch(`${apiUrl}/.well-known/stellar.toml`);
  if (!res.ok) throw new Error(`stellar.toml: ${res.status}`);
  const toml = parseToml(await res.text()) as unknown as AnchorToml;
  tomlCache.set(apiUrl, toml);
  return toml;
}

/** SEP-10 as a wallet does it: the toml's endpoint and signing key, the SDK checks the challenge, signs, posts. */
export async function sep10Token(stack: Stack, apiUrl: string, user: Keypair): Promise<string> {
  const toml = await readToml(apiUrl);
  const res = await fetch(`${toml.WEB_AUTH_ENDPOINT}?account=${user.publicKey()}`);
  const body = (await res.json()) as { transaction?: string; network_passphrase?: string; error?: string };
  if (res.status !== 200 || !body.transaction) throw new Error(`challenge: ${res.status} ${body.error}`);
  const homeDomain = stack.config.sep10.homeDomains[0]!;
  // S10-13: web_auth_domain is the domain we asked: its hostname (what the official wallet SDKs compare, the
  // sandbox default) or, when the anchor is configured so, the host with its port (what the SEP validator compares).
  const endpoint = new URL(toml.WEB_AUTH_ENDPOINT);
  const read = (webAuthDomain: string) =>
    WebAuth.readChallengeTx(
      body.transaction!,
      toml.SIGNING_KEY,
      toml.NETWORK_PASSPHRASE,
      homeDomain,
      webAuthDomain,
    );
  let challenge: ReturnType<typeof read>;
  try {
    challenge = read(endpoint.hostname);
  } catch {
    challenge = read(endpoint.host);
  }
  const { tx } = challenge;
  (tx as Transaction).sign(user);
  const posted = await fetch(toml.WEB_AUTH_ENDPOINT, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ transaction: tx.toXDR() }),
  });
  const token = (await posted.json()) as { token?: string; error?: string };
  if (posted.status !== 200 || !token.token) throw new Error(`token: ${posted.status} ${token.error}`);
  return token.token;
}

async function sep24(apiUrl: string): Promise<string> {
  return (await readToml(apiUrl)).TRANSFER_SERVER_SEP0024;
}

async function transferServer(apiUrl: string, front: Front): Promise<string> {
  const toml = await readToml(apiUrl);
  return front === 'sep6' ? toml.TRANSFER_SERVER : toml.TRANSFER_SERVER_SEP0024;
}

/** A SEP-6 GET (/deposit, /withdraw-exchange, ...) with the query a wallet sends; its 200 body, else it throws. */
export async function sep6Get(
  apiUrl: string,
  jwt: string,
  path: string,
  query: Record<string, string>,
): Promise<Record<string, unknown> & { id: string }> {
  const res = await fetch(`${await transferServer(apiUrl, 'sep6')}${path}?${new URLSearchParams(query)}`, {
    headers: { Authorization: `Bearer ${jwt}` },
  });
  const body = (await res.json()) as Record<string, unknown> & { id: string; error?: string };
  if (res.status !== 200 || !body.id) throw new Error(`GET ${path}: ${res.status} ${body.error}`);
  return body;
}

/** The bank reference of a SEP-6 deposit answer (S6-05): the SEP-9 field in its `instructions`. */
export function sep6DepositReference(body: Record<string, unknown>): string {
  const instructions = body.instructions as Record<string, { value: string }> | undefined;
  const reference = instructions?.['organization.external_transfer_memo']?.value;
  if (!reference) throw new Error(`no reference in the instructions: ${JSON.stringify(body)}`);
  return reference;
}

export interface FirmQuote {
  id: string;
  expires_at: string;
  sell_asset: string;
  sell_amount: string;
  buy_asset: string;
  buy_amount: string;
  price: string;
  total_price: string;
  fee: { total: string; asset: string; details?: { name: string; amount: string }[] };
}

/** POST /quote on the toml's ANCHOR_QUOTE_SERVER with the user's JWT (S38-07): the firm quote, else it throws. */
export async function firmQuote(
  apiUrl: string,
  jwt: string,
  body: Record<string, string>,
): Promise<FirmQuote> {
  const server = (await readToml(apiUrl)).ANCHOR_QUOTE_SERVER;
  if (!server) throw new Error('stellar.toml has no ANCHOR_QUOTE_SERVER: is SEP38_ENABLED on?');
  const res = await fetch(`${server}/quote`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const quote = (await res.json()) as FirmQuote & { error?: string };
  if (res.status !== 201 || !quote.id) throw new Error(`POST /quote: ${res.status} ${quote.error}`);
  return quote;
}

export async function startInteractive(
  apiUrl: string,
  jwt: string,
  kind: 'deposit' | 'withdraw',
  assetCode: string,
): Promise<{ id: string; url: string }> {
  const res = await fetch(`${await sep24(apiUrl)}/transactions/${kind}/interactive`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ asset_code: assetCode, lang: 'en' }),
  });
  const body = (await res.json()) as { id?: string; url?: string; error?: string };
  if (res.status !== 200 || !body.id || !body.url)
    throw new Error(`POST ${kind}: ${res.status} ${body.error}`);
  return { id: body.id, url: body.url };
}

export async function getTransaction(
  apiUrl: string,
  jwt: string,
  id: string,
  front: Front = 'sep24',
): Promise<Sep24Tx> {
  const res = await fetch(`${await transferServer(apiUrl, front)}/transaction?id=${id}`, {
    headers: { Authorization: `Bearer ${jwt}` },
  });
  const body = (await res.json()) as { transaction?: Sep24Tx; error?: string };
  if (res.status !== 200 || !body.transaction)
    throw new Error(`GET /transaction: ${res.status} ${body.error}`);
  return body.transaction;
}

export async function waitForStatus(
  apiUrl: string,
  jwt: string,
  id: string,
  statuses: string[],
  timeoutMs: number,
  front: Front = 'sep24',
): Promise<Sep24Tx> {
  return until(
    async () => {
      const tx = await getTransaction(apiUrl, jwt, id, front);
      return statuses.includes(tx.status) ? tx : undefined;
    },
    timeoutMs,
    `transaction ${id} to reach ${statuses.join('|')}`,
  );
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The first POST form of a hosted page: its action and hidden fields. */
export function postForm(html: string): { action: string; fields: Record<string, string> } | undefined {
  const m = /<form[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!m) return undefined;
  const action = /action="([^"]*)"/i.exec(m[0])![1]!;
  const fields: Record<string, string> = {};
  for (const input of m[1]!.matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name) fields[name] = decode(value);
  }
  return { action: decode(action), fields };
}

async function submitForm(pageUrl: string, html: string, values: Record<string, string>): Promise<Response> {
  const form = postForm(html);
  if (!form) throw new Error(`no form on ${pageUrl}: ${html.slice(0, 300)}`);
  return fetch(new URL(form.action, pageUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form.fields, ...values }).toString(),
  });
}

/** Hosted deposit pages: open the link, post the amount, wait on the instructions page for the bank reference. */
export async function completeDepositPages(url: string, amount: string): Promise<string> {
  const opened = await fetch(url);
  const html = await opened.text();
  if (opened.status !== 200) throw new Error(`deposit page: ${opened.status} ${html.slice(0, 300)}`);
  const posted = await submitForm(opened.url, html, { amount });
  let page = await posted.text();
  let pageUrl = posted.url;
  if (posted.status !== 200) throw new Error(`deposit amount: ${posted.status} ${page.slice(0, 300)}`);
  return until(
    async () => {
      const ref = /id="bank-reference"[^>]*>\s*([^<\s]+)\s*</.exec(page)?.[1];
      if (ref) return ref;
      const again = await fetch(pageUrl);
      page = await again.text();
      pageUrl = again.url;
      return undefined;
    },
    120_000,
    'the bank reference on the instructions page',
  );
}

/** The user sends the transfer from the sandbox bank's customer page; the bank tells the anchor by webhook. */
export function bankTransfer(
  stack: Stack,
  reference: string,
  amount: string,
  currency = 'USD',
): Promise<void> {
  return bankPageTransfer(stack.bankUrl, reference, amount, currency);
}

/** Hosted withdrawal pages: amount and bank account, then the confirmation. */
export async function completeWithdrawPages(
  url: string,
  amount: string,
  account = 'ES9121000418450200051332',
): Promise<void> {
  const opened = await fetch(url);
  const html = await opened.text();
  if (opened.status !== 200) throw new Error(`withdraw page: ${opened.status} ${html.slice(0, 300)}`);
  const posted = await submitForm(opened.url, html, {
    amount,
    holder: 'Ana Garcia',
    account,
  });
  const confirm = await posted.text();
  if (posted.status !== 200) throw new Error(`withdraw form: ${posted.status} ${confirm.slice(0, 300)}`);
  const done = await submitForm(posted.url, confirm, {});
  const body = await done.text();
  if (done.status !== 200 || !body.includes('id="done"')) {
    throw new Error(`withdraw confirm: ${done.status} ${body.slice(0, 300)}`);
  }
}

/** The wallet pays the anchor what GET /transaction asks for, with the memo it gives (S24-21). */
export async function payWithdrawal(stack: Stack, user: Keypair, tx: Sep24Tx): Promise<string> {
  const memo =
    tx.withdraw_memo_type === 'id'
      ? Memo.id(String(tx.withdraw_memo))
      : tx.withdraw_memo_type === 'hash'
        ? Memo.hash(Buffer.from(String(tx.withdraw_memo), 'base64').toString('hex'))
        : Memo.text(String(tx.withdraw_memo));
  const res = await submitOps(
    stack,
    user,
    [
      Operation.payment({
        destination: String(tx.withdraw_anchor_account),
        asset: anchoredAsset(stack),
        amount: String(tx.amount_in),
      }),
    ],
    memo,
  );
  return res.hash;
}

/** A seeded PRNG (mulberry32): the random kill points of a run can be replayed from the logged seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `fn` over `items` with at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return out;
}

/** `count` distinct integers in [1, max], sorted, drawn from `random`. */
export function pickTargets(random: () => number, count: number, max: number): number[] {
  const set = new Set<number>();
  while (set.size < Math.min(count, max)) set.add(1 + Math.floor(random() * max));
  return [...set].sort((a, b) => a - b);
}

/**
 * The operator's decision on a withdrawal through the admin API, once it is under review (approval_reasons set).
 * Re-sent until the workflow acts on it: a signal the workflow already took is ignored (first one wins), and once
 * it has moved on from pending_anchor the status says so before another is sent.
 */
export async function decideWithdrawal(
  stack: Pick<Stack, 'db' | 'publicUrl'>,
  adminKey: string,
  id: string,
  decision: 'approve' | 'reject',
  opts: { reason: string; timeoutMs: number },
): Promise<void> {
  await until(
    async () => {
      const row = await stack.db
        .selectFrom('withdrawal_details')
        .select('approval_reasons')
        .where('transaction_id', '=', id)
        .executeTakeFirst();
      return row?.approval_reasons ? true : undefined;
    },
    opts.timeoutMs,
    `withdrawal ${id} to be under review`,
  );
  await until(
    async () => {
      const tx = await stack.db
        .selectFrom('transactions')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      if (tx.status !== 'pending_anchor') return true;
      const res = await fetch(`${stack.publicUrl}/admin/withdrawals/${id}/decision`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ decision, reason: opts.reason }),
      });
      if (res.status !== 202) throw new Error(`decision: ${res.status} ${await res.text()}`);
      return undefined;
    },
    opts.timeoutMs,
    `the ${decision} of ${id} to take effect`,
  );
}

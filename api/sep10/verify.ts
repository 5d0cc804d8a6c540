import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import {
  FeeBumpTransaction,
  StrKey,
  type Transaction,
  TransactionBuilder,
  WebAuth,
} from '@stellar/stellar-sdk';
import type { AppConfig } from '../../config/index.js';
import { type HorizonAccount, keepAliveHorizonGet } from '../../core/horizon.js';
import { baseAccountId, isMuxedAddress } from '../../stellar/muxed.js';
import { badRequest, HttpError } from '../middleware/errors.js';

/** Seconds a client's clock may run ahead of ours on minTime (S10-21 IMPL). maxTime gets no grace at all. */
export const MIN_TIME_GRACE_SECONDS = 60;

/** Signers and thresholds of an existing account; undefined when the account does not exist. */
export type AccountSigners = (
  accountId: string,
) => Promise<
  { signers: { key: string; weight: number; type: string }[]; mediumThreshold: number } | undefined
>;

/**
 * Loads signers from Horizon's `GET /accounts/:id` (S10-26) over the keep-alive reader of `core/horizon.ts`;
 * Horizon being down (or answering nonsense) is our problem, so a 503, not a 400.
 */
export function horizonAccountSigners(config: AppConfig, timeoutMs = 10_000): AccountSigners {
  const get = keepAliveHorizonGet(config, timeoutMs);
  const unavailable = () =>
    new HttpError(503, 'cannot load the account from Horizon right now; try again', 'horizon_unavailable');
  return async (accountId) => {
    let res: { status: number; body: string };
    try {
      res = await get(`accounts/${encodeURIComponent(accountId)}`);
    } catch {
      throw unavailable();
    }
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw unavailable();
    let account: Partial<HorizonAccount>;
    try {
      account = JSON.parse(res.body) as Partial<HorizonAccount>;
    } catch {
      throw unavailable();
    }
    const med = Number(account.thresholds?.med_threshold);
    if (!Array.isArray(account.signers) || !Number.isInteger(med)) throw unavailable();
    return {
      signers: account.signers.map((s) => ({
        key: String(s.key),
        weight: Number(s.weight),
        type: String(s.type),
      })),
      mediumThreshold: med,
    };
  };
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// Parsed public keys of recent signers (the server, client-domain and account keys repeat across logins).
const verifiers = new Map<string, { address: string; hint: Buffer; key: KeyObject }>();
function verifierOf(address: string): { address: string; hint: Buffer; key: KeyObject } {
  let v = verifiers.get(address);
  if (!v) {
    if (!StrKey.isValidEd25519PublicKey(address))
      throw invalid(`signer ${address} is not an ed25519 account key`);
    const raw = StrKey.decodeEd25519PublicKey(address);
    v = {
      address,
      hint: raw.subarray(28),
      key: createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' }),
    };
    if (verifiers.size >= 10_000) verifiers.delete(verifiers.keys().next().value!);
    verifiers.set(address, v);
  }
  return v;
}

/**
 * Which of `candidates` signed `tx`, one signature per key (S10-26: a duplicate is not counted twice, it is
 * rejected, as is any signature no candidate made). Verification uses OpenSSL through node:crypto: the SDK's
 * verifyChallengeTx* helpers re-read the challenge and re-check the server signature that readChallengeTx has just
 * checked. `verifiedServerKey` is that key: readChallengeTx proved one of the signatures is its, so the one
 * signature carrying its hint is accepted without a second check (a second one with its hint is a duplicate and
 * fails, whichever of the two was genuine).
 */
function signingKeys(
  tx: Transaction,
  hash: Buffer,
  candidates: string[],
  verifiedServerKey: string,
): Set<string> {
  const keys = [...new Set(candidates)].map(verifierOf);
  const found = new Set<string>();
  for (const signature of tx.signatures) {
    const hint = signature.hint();
    const signer = keys.find(
      (k) =>
        !found.has(k.address) &&
        k.hint.equals(hint) &&
        (k.address === verifiedServerKey || verify(null, hash, k.key, signature.signature())),
    );
    if (!signer) throw invalid('transaction has unrecognized or duplicate signatures');
    found.add(signer.address);
  }
  return found;
}

export interface VerifiedChallenge {
  /** JWT sub (S10-34): M..., G...:memo or G... */
  sub: string;
  homeDomain: string;
  clientDomain: string | undefined;
  /** Hex hash of the challenge: the replay key and the token's jti (S10-31, S10-37). */
  hash: string;
  maxTime: Date;
}

function invalid(message: string): HttpError {
  return badRequest(message, 'invalid_challenge');
}

/** Decodes the envelope and applies the time-bound rules the SDK is lenient about (it allows 5 min past maxTime). */
function decode(config: AppConfig, xdr: string, now: number): Transaction {
  let tx: Transaction | FeeBumpTransaction;
  try {
    tx = TransactionBuilder.fromXDR(xdr, config.stellar.networkPassphrase);
  } catch {
    throw invalid('transaction is not a base64 XDR transaction envelope');
  }
  if (tx instanceof FeeBumpTransaction) throw invalid('transaction must not be a fee-bump transaction');
  const bounds = tx.timeBounds;
  if (!bounds || Number(bounds.maxTime) === 0) throw invalid('challenge has no time bounds');
  if (now > Number(bounds.maxTime)) throw invalid('challenge has expired: request a new one');
  if (now < Number(bounds.minTime) - MIN_TIME_GRACE_SECONDS) throw invalid('challenge is not valid yet');
  return tx;
}

/** A challenge whose structure, time bounds and server signature hold; its client signatures are not checked yet. */
export interface ReadChallenge {
  tx: Transaction;
  /** JWT sub (S10-34): M..., G...:memo or G... */
  sub: string;
  /** The G... account whose signers must sign (for M... the account it multiplexes, S10-30). */
  account: string;
  homeDomain: string;
  clientDomain: string | undefined;
  clientDomainKey: string | undefined;
  hash: Buffer;
  maxTime: Date;
}

/**
 * The checks of POST <WEB_AUTH_ENDPOINT> that need no I/O (S10-19..25): the SDK's readChallengeTx for structure,
 * home domain, web_auth_domain and the server signature, our stricter time bounds, at most one client_domain
 * operation with a source. Cheap enough to run before the rate limit's and replay store's round trip.
 */
export function readSignedChallenge(
  config: AppConfig,
  xdr: string,
  now = Math.floor(Date.now() / 1000),
): ReadChallenge {
  const tx = decode(config, xdr, now);
  const server = config.stellar.signingKey;
  const passphrase = config.stellar.networkPassphrase;
  const { homeDomains, webAuthDomain } = config.sep10;

  let read: ReturnType<typeof WebAuth.readChallengeTx>;
  try {
    read = WebAuth.readChallengeTx(xdr, server, passphrase, homeDomains, webAuthDomain);
  } catch (err) {
    throw invalid((err as Error).message);
  }
  const clientAccount = read.clientAccountID;
  const muxed = isMuxedAddress(clientAccount);
  const account = baseAccountId(clientAccount);
  const clientDomainOps = tx.operations.filter(
    (op) => op.type === 'manageData' && op.name === 'client_domain',
  );
  if (clientDomainOps.length > 1) throw invalid('challenge has more than one client_domain operation');
  const clientDomainOp = clientDomainOps[0];
  if (clientDomainOp && !clientDomainOp.source)
    throw invalid('the client_domain operation has no source account');
  const clientDomain =
    clientDomainOp?.type === 'manageData' && clientDomainOp.value
      ? clientDomainOp.value.toString()
      : undefined;
  return {
    tx,
    sub: muxed ? clientAccount : read.memo ? `${account}:${read.memo}` : account,
    account,
    homeDomain: read.matchedHomeDomain,
    clientDomain,
    clientDomainKey: clientDomainOp?.source,
    hash: tx.hash(),
    maxTime: new Date(Number(tx.timeBounds!.maxTime) * 1000),
  };
}

/**
 * The client's signatures (S10-26..30) against the account's signers from Horizon (medium threshold, each signer
 * once, unknown signatures rejected) or, for an account not on the ledger, exactly its master key. The server key
 * never counts; the client_domain key must sign and never counts.
 */
export async function verifyChallengeSigners(
  config: AppConfig,
  loadSigners: AccountSigners,
  challenge: ReadChallenge,
): Promise<VerifiedChallenge> {
  const { tx, account, clientDomainKey, hash } = challenge;
  const server = config.stellar.signingKey;
  // S10-30: a muxed client is authenticated by the account it multiplexes.
  const onLedger = await loadSigners(account);
  const signers = onLedger
    ? onLedger.signers.filter((s) => s.type === 'ed25519_public_key' && s.weight > 0)
    : [{ key: account, weight: 1 }]; // S10-28: a nonexistent account signs with its master key alone
  const signed = signingKeys(
    tx,
    hash,
    [server, ...(clientDomainKey ? [clientDomainKey] : []), ...signers.map((s) => s.key)],
    server,
  );
  if (clientDomainKey && !signed.has(clientDomainKey)) {
    throw invalid("transaction not signed by the source account of the 'client_domain' ManageData operation");
  }
  // S10-27, S10-29: neither the server's nor the client domain's signature ever counts for the client.
  const clientKeys = [...signed].filter((k) => k !== server && k !== clientDomainKey);
  if (clientKeys.length === 0) throw invalid('none of the account signers signed the transaction');
  if (onLedger) {
    const weight = clientKeys.reduce((sum, k) => sum + (signers.find((s) => s.key === k)?.weight ?? 0), 0);
    // A zero medium threshold still needs one real signature (S10-26).
    const threshold = Math.max(1, onLedger.mediumThreshold);
    if (weight < threshold) {
      throw invalid(`signers with weight ${weight} do not meet the medium threshold ${threshold}`);
    }
  }
  return {
    sub: challenge.sub,
    homeDomain: challenge.homeDomain,
    clientDomain: challenge.clientDomain,
    hash: hash.toString('hex'),
    maxTime: challenge.maxTime,
  };
}

import { type Asset, Keypair, type Operation, StrKey, type Transaction, xdr } from '@stellar/stellar-sdk';
import { baseAccountId, parseMuxedAddress } from '../../stellar/muxed.js';
import { fromStroops, MAX_INT64, STROOPS_PER_UNIT, toStroops } from './amount.js';
import { type OpOutcome, opFailure, opNotSupported, opSuccess } from './results.js';
import {
  ACCOUNT_FLAGS,
  type AccountEntry,
  availableBalance,
  type LedgerView,
  newAccount,
  TRUSTLINE_FLAGS,
} from './state.js';

/** What an operation needs to know about the ledger being closed. */
export interface LedgerContext {
  seq: number;
  /** unix seconds */
  closeTime: number;
  baseReserve: bigint;
  /** dest units per source unit, scaled by 1e7; undefined when the pair cannot be converted */
  rate(from: string, to: string): bigint | undefined;
}

/** A payment-like operation as /payments shows it (filled in by the caller with ids and links). */
export interface PaymentFacts {
  type:
    | 'create_account'
    | 'payment'
    | 'path_payment_strict_receive'
    | 'path_payment_strict_send'
    | 'account_merge';
  /** accounts whose /accounts/:id/payments list this record */
  participants: string[];
  fields: Record<string, unknown>;
}

export interface AppliedOp extends OpOutcome {
  payment?: PaymentFacts;
}

export function assetKey(asset: Asset): string {
  return asset.isNative() ? 'native' : `${asset.getCode()}:${asset.getIssuer()}`;
}

export function assetFields(asset: Asset, prefix = ''): Record<string, string> {
  if (asset.isNative()) return { [`${prefix}asset_type`]: 'native' };
  return {
    [`${prefix}asset_type`]: asset.getAssetType(),
    [`${prefix}asset_code`]: asset.getCode(),
    [`${prefix}asset_issuer`]: asset.getIssuer(),
  };
}

/** Horizon's `<name>_muxed` / `<name>_muxed_id` fields of an M... address (none for G...). */
export function muxedFields(address: string, name: string): Record<string, string> {
  if (!address.startsWith('M')) return {};
  return { [`${name}_muxed`]: address, [`${name}_muxed_id`]: parseMuxedAddress(address).id };
}

/** Suffix of the failing result arm, shared by payment and both path payments. */
type MoveFailure =
  | 'Underfunded'
  | 'SrcNoTrust'
  | 'SrcNotAuthorized'
  | 'NoDestination'
  | 'NoTrust'
  | 'NotAuthorized'
  | 'LineFull';

function isAuthorized(flags: number): boolean {
  return (flags & TRUSTLINE_FLAGS.authorized) !== 0;
}

function issuerOf(key: string): string | undefined {
  return key === 'native' ? undefined : key.slice(key.indexOf(':') + 1);
}

function credit(
  view: LedgerView,
  accountId: string,
  key: string,
  amount: bigint,
  ledger: number,
): MoveFailure | null {
  const dest = view.loadAccount(accountId);
  if (!dest) return 'NoDestination';
  if (key === 'native') {
    if (dest.balance + amount > MAX_INT64) return 'LineFull';
    dest.balance += amount;
  } else if (issuerOf(key) !== accountId) {
    const tl = dest.trustLines[key];
    if (!tl) return 'NoTrust';
    if (!isAuthorized(tl.flags)) return 'NotAuthorized';
    if (tl.balance + amount > tl.limit) return 'LineFull';
    tl.balance += amount;
    tl.lastModifiedLedger = ledger;
  }
  dest.lastModifiedLedger = ledger;
  return null;
}

function debit(
  view: LedgerView,
  accountId: string,
  key: string,
  amount: bigint,
  ctx: LedgerContext,
): MoveFailure | null {
  const src = view.loadAccount(accountId)!;
  if (key === 'native') {
    if (availableBalance(src, ctx.baseReserve) < amount) return 'Underfunded';
    src.balance -= amount;
  } else if (issuerOf(key) !== accountId) {
    const tl = src.trustLines[key];
    if (!tl) return 'SrcNoTrust';
    if (!isAuthorized(tl.flags)) return 'SrcNotAuthorized';
    if (tl.balance < amount) return 'Underfunded';
    tl.balance -= amount;
    tl.lastModifiedLedger = ctx.seq;
  }
  src.lastModifiedLedger = ctx.seq;
  return null;
}

function int64(v: bigint) {
  return xdr.Int64.fromString(v.toString());
}

/** Applies one operation to `view`; on failure the caller drops the whole transaction's layer. */
export function applyOperation(
  view: LedgerView,
  op: Operation,
  sourceAddress: string,
  tx: Transaction,
  opIndex: number,
  ctx: LedgerContext,
): AppliedOp {
  const source = baseAccountId(sourceAddress);
  const from = { from: source, ...muxedFields(sourceAddress, 'from') };
  switch (op.type) {
    case 'createAccount': {
      const starting = toStroops(op.startingBalance);
      if (starting <= 0n || op.destination === source) return opFailure('createAccount', 'Malformed');
      if (view.getAccount(op.destination)) return opFailure('createAccount', 'AlreadyExist');
      if (starting < 2n * ctx.baseReserve) return opFailure('createAccount', 'LowReserve');
      if (debit(view, source, 'native', starting, ctx)) return opFailure('createAccount', 'Underfunded');
      view.putAccount(newAccount(op.destination, starting, ctx.seq, ctx.closeTime));
      return {
        ...opSuccess('createAccount'),
        payment: {
          type: 'create_account',
          participants: [source, op.destination],
          fields: { starting_balance: fromStroops(starting), funder: source, account: op.destination },
        },
      };
    }

    case 'payment': {
      const amount = toStroops(op.amount);
      if (amount <= 0n) return opFailure('payment', 'Malformed');
      const dest = baseAccountId(op.destination);
      const key = assetKey(op.asset);
      const failure = credit(view, dest, key, amount, ctx.seq) ?? debit(view, source, key, amount, ctx);
      if (failure) return opFailure('payment', failure);
      return {
        ...opSuccess('payment'),
        payment: {
          type: 'payment',
          participants: [source, dest],
          fields: {
            ...assetFields(op.asset),
            ...from,
            to: dest,
            ...muxedFields(op.destination, 'to'),
            amount: fromStroops(amount),
          },
        },
      };
    }

    case 'pathPaymentStrictReceive':
    case 'pathPaymentStrictSend': {
      const strictReceive = op.type === 'pathPaymentStrictReceive';
      const type = op.type;
      const dest = baseAccountId(op.destination);
      const sendKey = assetKey(op.sendAsset);
      const destKey = assetKey(op.destAsset);
      const rate = sendKey === destKey ? STROOPS_PER_UNIT : ctx.rate(sendKey, destKey);
      let sendAmount: bigint;
      let destAmount: bigint;
      if (strictReceive) {
        destAmount = toStroops(op.destAmount);
        const sendMax = toStroops(op.sendMax);
        if (destAmount <= 0n || sendMax <= 0n) return opFailure(type, 'Malformed');
        if (!rate || rate <= 0n) return opFailure(type, 'TooFewOffers');
        sendAmount = (destAmount * STROOPS_PER_UNIT + rate - 1n) / rate;
        if (sendAmount > sendMax) return opFailure(type, 'OverSendmax');
      } else {
        sendAmount = toStroops(op.sendAmount);
        const destMin = toStroops(op.destMin);
        if (sendAmount <= 0n || destMin <= 0n) return opFailure(type, 'Malformed');
        if (!rate || rate <= 0n) return opFailure(type, 'TooFewOffers');
        destAmount = (sendAmount * rate) / STROOPS_PER_UNIT;
        if (destAmount < destMin) return opFailure(type, 'UnderDestmin');
      }
      const failure =
        credit(view, dest, destKey, destAmount, ctx.seq) ?? debit(view, source, sendKey, sendAmount, ctx);
      if (failure) return opFailure(type, failure);
      const success = new xdr.SimplePaymentResult({
        destination: Keypair.fromPublicKey(dest).xdrAccountId(),
        asset: op.destAsset.toXDRObject(),
        amount: int64(destAmount),
      });
      const value = strictReceive
        ? new xdr.PathPaymentStrictReceiveResultSuccess({ offers: [], last: success })
        : new xdr.PathPaymentStrictSendResultSuccess({ offers: [], last: success });
      return {
        ...opSuccess(type, value),
        payment: {
          type: strictReceive ? 'path_payment_strict_receive' : 'path_payment_strict_send',
          participants: [source, dest],
          fields: {
            ...assetFields(op.destAsset),
            ...from,
            to: dest,
            ...muxedFields(op.destination, 'to'),
            amount: fromStroops(destAmount),
            path: op.path.map((a) => assetFields(a)),
            source_amount: fromStroops(sendAmount),
            ...(strictReceive ? { source_max: op.sendMax } : { destination_min: op.destMin }),
            ...assetFields(op.sendAsset, 'source_'),
          },
        },
      };
    }

    case 'changeTrust': {
      if (!('getCode' in op.line) || op.line.isNative()) return opFailure('changeTrust', 'Malformed');
      const line = op.line as Asset;
      const issuer = line.getIssuer();
      if (issuer === source) return opFailure('changeTrust', 'Malformed');
      const key = assetKey(line);
      const limit = toStroops(op.limit);
      const acc = view.loadAccount(source)!;
      const existing = acc.trustLines[key];
      if (limit < 0n) return opFailure('changeTrust', 'Malformed');
      if (existing) {
        if (limit === 0n) {
          if (existing.balance > 0n) return opFailure('changeTrust', 'InvalidLimit');
          delete acc.trustLines[key];
          acc.numSubEntries -= 1;
        } else {
          if (limit < existing.balance) return opFailure('changeTrust', 'InvalidLimit');
          existing.limit = limit;
          existing.lastModifiedLedger = ctx.seq;
        }
      } else {
        if (limit === 0n) return opFailure('changeTrust', 'InvalidLimit');
        const issuerAccount = view.getAccount(issuer);
        if (!issuerAccount) return opFailure('changeTrust', 'NoIssuer');
        if (availableBalance(acc, ctx.baseReserve) < ctx.baseReserve)
          return opFailure('changeTrust', 'LowReserve');
        let flags = issuerAccount.flags & ACCOUNT_FLAGS.authRequired ? 0 : TRUSTLINE_FLAGS.authorized;
        if (issuerAccount.flags & ACCOUNT_FLAGS.authClawback) flags |= TRUSTLINE_FLAGS.clawback;
        acc.trustLines[key] = { asset: key, balance: 0n, limit, flags, lastModifiedLedger: ctx.seq };
        acc.numSubEntries += 1;
      }
      acc.lastModifiedLedger = ctx.seq;
      return opSuccess('changeTrust');
    }

    case 'setOptions':
      return setOptions(view, op, source, ctx);

    case 'allowTrust':
    case 'setTrustLineFlags': {
      const type = op.type;
      const issuer = view.loadAccount(source)!;
      const trustor = op.trustor;
      if (trustor === source) return opFailure(type, 'Malformed');
      const key = type === 'allowTrust' ? `${op.assetCode}:${source}` : assetKey(op.asset);
      if (type === 'setTrustLineFlags' && issuerOf(key) !== source) return opFailure(type, 'Malformed');
      const holder = view.loadAccount(trustor);
      const tl = holder?.trustLines[key];
      if (!holder || !tl) return opFailure(type, 'NoTrustLine');
      let flags = tl.flags;
      if (type === 'allowTrust') {
        const level = Number(op.authorize);
        flags &= ~(TRUSTLINE_FLAGS.authorized | TRUSTLINE_FLAGS.maintainLiabilities);
        if (level === 1) flags |= TRUSTLINE_FLAGS.authorized;
        if (level === 2) flags |= TRUSTLINE_FLAGS.maintainLiabilities;
      } else {
        const f = op.flags as Record<string, boolean | undefined>;
        const bits: [string, number][] = [
          ['authorized', TRUSTLINE_FLAGS.authorized],
          ['authorizedToMaintainLiabilities', TRUSTLINE_FLAGS.maintainLiabilities],
          ['clawbackEnabled', TRUSTLINE_FLAGS.clawback],
        ];
        for (const [name, bit] of bits) {
          if (f[name] === true) flags |= bit;
          if (f[name] === false) flags &= ~bit;
        }
        if (f.clawbackEnabled === true) return opFailure(type, 'Malformed');
        if (flags & TRUSTLINE_FLAGS.authorized && flags & TRUSTLINE_FLAGS.maintainLiabilities) {
          return opFailure(type, 'InvalidState');
        }
      }
      const lessAuthorized =
        (isAuthorized(tl.flags) && !isAuthorized(flags)) ||
        ((tl.flags & TRUSTLINE_FLAGS.maintainLiabilities) !== 0 &&
          (flags & (TRUSTLINE_FLAGS.authorized | TRUSTLINE_FLAGS.maintainLiabilities)) === 0);
      if (lessAuthorized && !(issuer.flags & ACCOUNT_FLAGS.authRevocable))
        return opFailure(type, 'CantRevoke');
      tl.flags = flags;
      tl.lastModifiedLedger = ctx.seq;
      holder.lastModifiedLedger = ctx.seq;
      return opSuccess(type);
    }

    case 'manageData': {
      const acc = view.loadAccount(source)!;
      const name = op.name;
      if (name.length < 1 || name.length > 64) return opFailure('manageData', 'InvalidName');
      const exists = Object.hasOwn(acc.data, name);
      if (op.value === undefined || op.value === null) {
        if (!exists) return opFailure('manageData', 'NameNotFound');
        delete acc.data[name];
        acc.numSubEntries -= 1;
      } else {
        if (!exists) {
          if (availableBalance(acc, ctx.baseReserve) < ctx.baseReserve)
            return opFailure('manageData', 'LowReserve');
          acc.numSubEntries += 1;
        }
        acc.data[name] = Buffer.from(op.value).toString('base64');
      }
      acc.lastModifiedLedger = ctx.seq;
      return opSuccess('manageData');
    }

    case 'bumpSequence': {
      const bumpTo = BigInt(op.bumpTo);
      if (bumpTo < 0n) return opFailure('bumpSequence', 'BadSeq');
      const acc = view.loadAccount(source)!;
      if (bumpTo > acc.seq) {
        acc.seq = bumpTo;
        acc.seqLedger = ctx.seq;
        acc.seqTime = ctx.closeTime;
      }
      acc.lastModifiedLedger = ctx.seq;
      return opSuccess('bumpSequence');
    }

    case 'accountMerge': {
      const destAddress = op.destination;
      const dest = baseAccountId(destAddress);
      if (dest === source) return opFailure('accountMerge', 'Malformed');
      const destAcc = view.loadAccount(dest);
      if (!destAcc) return opFailure('accountMerge', 'NoAccount');
      const acc = view.loadAccount(source)!;
      if (acc.flags & ACCOUNT_FLAGS.authImmutable) return opFailure('accountMerge', 'ImmutableSet');
      if (acc.numSubEntries > 0) return opFailure('accountMerge', 'HasSubEntries');
      if (acc.numSponsoring > 0) return opFailure('accountMerge', 'IsSponsor');
      if (acc.seq >= BigInt(ctx.seq) << 32n) return opFailure('accountMerge', 'SeqnumTooFar');
      if (destAcc.balance + acc.balance > MAX_INT64) return opFailure('accountMerge', 'DestFull');
      const moved = acc.balance;
      destAcc.balance += moved;
      destAcc.lastModifiedLedger = ctx.seq;
      view.deleteAccount(source);
      return {
        ...opSuccess('accountMerge', int64(moved)),
        payment: {
          type: 'account_merge',
          participants: [source, dest],
          fields: { account: source, into: dest, ...muxedFields(destAddress, 'into') },
        },
      };
    }

    case 'createClaimableBalance':
      return createClaimableBalance(view, op, source, tx, opIndex, ctx);

    case 'claimClaimableBalance': {
      const balance = view.loadBalance(op.balanceId.toLowerCase());
      if (!balance) return opFailure('claimClaimableBalance', 'DoesNotExist');
      const claimant = balance.claimants.find((c) => c.destination === source);
      if (
        !claimant ||
        !predicateHolds(xdr.ClaimPredicate.fromXDR(claimant.predicate, 'base64'), BigInt(ctx.closeTime))
      ) {
        return opFailure('claimClaimableBalance', 'CannotClaim');
      }
      const failure = credit(view, source, balance.asset, balance.amount, ctx.seq);
      if (failure === 'NoTrust' || failure === 'NotAuthorized' || failure === 'LineFull') {
        return opFailure('claimClaimableBalance', failure);
      }
      const sponsor = view.loadAccount(balance.sponsor);
      if (sponsor) {
        sponsor.numSponsoring -= balance.claimants.length;
        sponsor.lastModifiedLedger = ctx.seq;
      }
      view.deleteBalance(balance.id);
      return opSuccess('claimClaimableBalance');
    }

    default:
      return opNotSupported();
  }
}

function setOptions(
  view: LedgerView,
  op: Operation.SetOptions,
  source: string,
  ctx: LedgerContext,
): AppliedOp {
  const acc: AccountEntry = view.loadAccount(source)!;
  const setFlags = Number(op.setFlags ?? 0);
  const clearFlags = Number(op.clearFlags ?? 0);
  const known =
    ACCOUNT_FLAGS.authRequired |
    ACCOUNT_FLAGS.authRevocable |
    ACCOUNT_FLAGS.authImmutable |
    ACCOUNT_FLAGS.authClawback;
  if ((setFlags | clearFlags) & ~known) return opFailure('setOptions', 'UnknownFlag');
  if (setFlags & clearFlags) return opFailure('setOptions', 'BadFlags');
  if (setFlags | clearFlags && acc.flags & ACCOUNT_FLAGS.authImmutable)
    return opFailure('setOptions', 'CantChange');
  for (const t of [op.masterWeight, op.lowThreshold, op.medThreshold, op.highThreshold]) {
    if (t !== undefined && (Number(t) < 0 || Number(t) > 255))
      return opFailure('setOptions', 'ThresholdOutOfRange');
  }
  if (op.homeDomain !== undefined && op.homeDomain.length > 32)
    return opFailure('setOptions', 'InvalidHomeDomain');
  if (op.inflationDest !== undefined && !view.getAccount(op.inflationDest)) {
    return opFailure('setOptions', 'InvalidInflation');
  }
  if (op.signer) {
    const s = op.signer as Record<string, any>;
    let key: string;
    if (s.ed25519PublicKey) key = s.ed25519PublicKey;
    else if (s.preAuthTx) key = StrKey.encodePreAuthTx(Buffer.from(s.preAuthTx));
    else if (s.sha256Hash) key = StrKey.encodeSha256Hash(Buffer.from(s.sha256Hash));
    else return opFailure('setOptions', 'BadSigner');
    const weight = Number(s.weight ?? 0);
    if (key === source || weight > 255) return opFailure('setOptions', 'BadSigner');
    const at = acc.signers.findIndex((x) => x.key === key);
    if (weight === 0) {
      if (at >= 0) {
        acc.signers.splice(at, 1);
        acc.numSubEntries -= 1;
      }
    } else if (at >= 0) {
      acc.signers[at]!.weight = weight;
    } else {
      if (acc.signers.length >= 20) return opFailure('setOptions', 'TooManySigners');
      if (availableBalance(acc, ctx.baseReserve) < ctx.baseReserve)
        return opFailure('setOptions', 'LowReserve');
      acc.signers.push({ key, weight });
      acc.signers.sort((a, b) => (a.key < b.key ? -1 : 1));
      acc.numSubEntries += 1;
    }
  }
  acc.flags = (acc.flags | setFlags) & ~clearFlags;
  if (op.masterWeight !== undefined) acc.masterWeight = Number(op.masterWeight);
  if (op.lowThreshold !== undefined) acc.low = Number(op.lowThreshold);
  if (op.medThreshold !== undefined) acc.med = Number(op.medThreshold);
  if (op.highThreshold !== undefined) acc.high = Number(op.highThreshold);
  if (op.homeDomain !== undefined) acc.homeDomain = op.homeDomain;
  if (op.inflationDest !== undefined) acc.inflationDest = op.inflationDest;
  acc.lastModifiedLedger = ctx.seq;
  return opSuccess('setOptions');
}

function createClaimableBalance(
  view: LedgerView,
  op: Operation.CreateClaimableBalance,
  source: string,
  tx: Transaction,
  opIndex: number,
  ctx: LedgerContext,
): AppliedOp {
  const amount = toStroops(op.amount);
  const destinations = op.claimants.map((c) => c.destination);
  if (amount <= 0n || destinations.length === 0 || new Set(destinations).size !== destinations.length) {
    return opFailure('createClaimableBalance', 'Malformed');
  }
  const acc = view.loadAccount(source)!;
  acc.numSponsoring += destinations.length;
  if (acc.balance < BigInt(2 + acc.numSubEntries + acc.numSponsoring - acc.numSponsored) * ctx.baseReserve) {
    return opFailure('createClaimableBalance', 'LowReserve');
  }
  const key = assetKey(op.asset);
  const failure = debit(view, source, key, amount, ctx);
  if (failure === 'SrcNoTrust') return opFailure('createClaimableBalance', 'NoTrust');
  if (failure === 'SrcNotAuthorized') return opFailure('createClaimableBalance', 'NotAuthorized');
  if (failure) return opFailure('createClaimableBalance', 'Underfunded');
  const id = tx.getClaimableBalanceId(opIndex).toLowerCase();
  view.putBalance({
    id,
    asset: key,
    amount,
    sponsor: source,
    claimants: op.claimants.map((c) => ({
      destination: c.destination,
      predicate: absolutePredicate(c.predicate, BigInt(ctx.closeTime)).toXDR('base64'),
    })),
    lastModifiedLedger: ctx.seq,
  });
  const balanceId = xdr.ClaimableBalanceId.fromXDR(id, 'hex');
  return opSuccess('createClaimableBalance', balanceId);
}

/** The network turns relative predicates into absolute ones when the balance is created. */
function absolutePredicate(p: xdr.ClaimPredicate, closeTime: bigint): xdr.ClaimPredicate {
  switch (p.switch().name) {
    case 'claimPredicateAnd':
      return xdr.ClaimPredicate.claimPredicateAnd(
        p.andPredicates().map((q) => absolutePredicate(q, closeTime)),
      );
    case 'claimPredicateOr':
      return xdr.ClaimPredicate.claimPredicateOr(
        p.orPredicates().map((q) => absolutePredicate(q, closeTime)),
      );
    case 'claimPredicateNot': {
      const inner = p.notPredicate();
      return xdr.ClaimPredicate.claimPredicateNot(inner ? absolutePredicate(inner, closeTime) : null);
    }
    case 'claimPredicateBeforeRelativeTime':
      return xdr.ClaimPredicate.claimPredicateBeforeAbsoluteTime(
        int64(closeTime + BigInt(p.relBefore().toString())),
      );
    default:
      return p;
  }
}

function predicateHolds(p: xdr.ClaimPredicate, closeTime: bigint): boolean {
  switch (p.switch().name) {
    case 'claimPredicateUnconditional':
      return true;
    case 'claimPredicateAnd':
      return p.andPredicates().every((q) => predicateHolds(q, closeTime));
    case 'claimPredicateOr':
      return p.orPredicates().some((q) => predicateHolds(q, closeTime));
    case 'claimPredicateNot': {
      const inner = p.notPredicate();
      return inner ? !predicateHolds(inner, closeTime) : false;
    }
    case 'claimPredicateBeforeAbsoluteTime':
      return closeTime < BigInt(p.absBefore().toString());
    default:
      return false;
  }
}

/** Claimable balances render predicates as Horizon's JSON ({unconditional: true}, {abs_before: ...}). */
export function predicateJson(b64: string): unknown {
  const walk = (p: xdr.ClaimPredicate): unknown => {
    switch (p.switch().name) {
      case 'claimPredicateUnconditional':
        return { unconditional: true };
      case 'claimPredicateAnd':
        return { and: p.andPredicates().map(walk) };
      case 'claimPredicateOr':
        return { or: p.orPredicates().map(walk) };
      case 'claimPredicateNot': {
        const inner = p.notPredicate();
        return { not: inner ? walk(inner) : null };
      }
      case 'claimPredicateBeforeAbsoluteTime': {
        const secs = BigInt(p.absBefore().toString());
        return {
          abs_before: new Date(Number(secs) * 1000).toISOString().replace('.000Z', 'Z'),
          abs_before_epoch: secs.toString(),
        };
      }
      default:
        return {};
    }
  };
  return walk(xdr.ClaimPredicate.fromXDR(b64, 'base64'));
}

import type { Operation } from '@stellar/stellar-sdk';
import { baseAccountId } from '../../stellar/muxed.js';
import { assetFields } from './operations.js';

/**
 * An operation as Horizon's /operations shows it, from the operation itself (so failed transactions' operations
 * are listed too). Result-dependent fields (a path payment's source amount) come from the applied result.
 */
export interface OperationFacts {
  type: string;
  typeI: number;
  /** accounts whose /accounts/:id/operations list it */
  participants: string[];
  fields: Record<string, unknown>;
}

export const PAYMENT_TYPES = new Set([
  'create_account',
  'payment',
  'path_payment_strict_receive',
  'path_payment_strict_send',
  'account_merge',
]);

const TYPE_I: Record<string, number> = {
  create_account: 0,
  payment: 1,
  path_payment_strict_receive: 2,
  manage_sell_offer: 3,
  create_passive_sell_offer: 4,
  set_options: 5,
  change_trust: 6,
  allow_trust: 7,
  account_merge: 8,
  inflation: 9,
  manage_data: 10,
  bump_sequence: 11,
  manage_buy_offer: 12,
  path_payment_strict_send: 13,
  create_claimable_balance: 14,
  claim_claimable_balance: 15,
  begin_sponsoring_future_reserves: 16,
  end_sponsoring_future_reserves: 17,
  revoke_sponsorship: 18,
  clawback: 19,
  clawback_claimable_balance: 20,
  set_trust_line_flags: 21,
};

const FLAG_NAMES: [number, string][] = [
  [1, 'auth_required'],
  [2, 'auth_revocable'],
  [4, 'auth_immutable'],
  [8, 'auth_clawback_enabled'],
];

function snake(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function flagFields(prefix: string, flags: number | undefined): Record<string, unknown> {
  if (!flags) return {};
  const set = FLAG_NAMES.filter(([bit]) => flags & bit);
  return { [prefix]: set.map(([bit]) => bit), [`${prefix}_s`]: set.map(([, name]) => name) };
}

function muxed(address: string, name: string): Record<string, string> {
  return address.startsWith('M') ? { [`${name}_muxed`]: address } : {};
}

export function describeOperation(op: Operation, sourceAddress: string): OperationFacts {
  const source = baseAccountId(sourceAddress);
  const type = snake(op.type);
  const facts = (fields: Record<string, unknown>, others: string[] = []): OperationFacts => ({
    type,
    typeI: TYPE_I[type] ?? -1,
    participants: [...new Set([source, ...others])],
    fields,
  });
  switch (op.type) {
    case 'createAccount':
      return facts({ starting_balance: op.startingBalance, funder: source, account: op.destination }, [
        op.destination,
      ]);
    case 'payment': {
      const to = baseAccountId(op.destination);
      return facts(
        {
          ...assetFields(op.asset),
          from: source,
          ...muxed(sourceAddress, 'from'),
          to,
          ...muxed(op.destination, 'to'),
          amount: op.amount,
        },
        [to],
      );
    }
    case 'pathPaymentStrictReceive':
    case 'pathPaymentStrictSend': {
      const to = baseAccountId(op.destination);
      const receive = op.type === 'pathPaymentStrictReceive';
      return facts(
        {
          ...assetFields(op.destAsset),
          from: source,
          ...muxed(sourceAddress, 'from'),
          to,
          ...muxed(op.destination, 'to'),
          amount: receive ? op.destAmount : '0.0000000',
          path: op.path.map((a) => assetFields(a)),
          source_amount: receive ? '0.0000000' : op.sendAmount,
          ...(receive ? { source_max: op.sendMax } : { destination_min: op.destMin }),
          ...assetFields(op.sendAsset, 'source_'),
        },
        [to],
      );
    }
    case 'accountMerge': {
      const into = baseAccountId(op.destination);
      return facts({ account: source, into, ...muxed(op.destination, 'into') }, [into]);
    }
    case 'changeTrust': {
      const line = op.line as { isNative?: () => boolean; getIssuer?: () => string };
      const asset = 'getCode' in op.line ? assetFields(op.line) : { asset_type: 'liquidity_pool_shares' };
      return facts({
        ...asset,
        limit: op.limit,
        trustor: source,
        ...(line.getIssuer ? { trustee: line.getIssuer() } : {}),
      });
    }
    case 'setOptions': {
      const signer = op.signer as { ed25519PublicKey?: string; weight?: number | string } | undefined;
      return facts({
        ...(op.homeDomain !== undefined ? { home_domain: op.homeDomain } : {}),
        ...(op.masterWeight !== undefined ? { master_key_weight: Number(op.masterWeight) } : {}),
        ...(op.lowThreshold !== undefined ? { low_threshold: Number(op.lowThreshold) } : {}),
        ...(op.medThreshold !== undefined ? { med_threshold: Number(op.medThreshold) } : {}),
        ...(op.highThreshold !== undefined ? { high_threshold: Number(op.highThreshold) } : {}),
        ...(op.inflationDest !== undefined ? { inflation_dest: op.inflationDest } : {}),
        ...(signer?.ed25519PublicKey
          ? { signer_key: signer.ed25519PublicKey, signer_weight: Number(signer.weight ?? 0) }
          : {}),
        ...flagFields('set_flags', op.setFlags as number | undefined),
        ...flagFields('clear_flags', op.clearFlags as number | undefined),
      });
    }
    case 'allowTrust': {
      const code = op.assetCode;
      return facts(
        {
          asset_type: code.length <= 4 ? 'credit_alphanum4' : 'credit_alphanum12',
          asset_code: code,
          asset_issuer: source,
          trustee: source,
          trustor: op.trustor,
          authorize: Number(op.authorize) === 1,
          authorize_to_maintain_liabilities: Number(op.authorize) === 2,
        },
        [op.trustor],
      );
    }
    case 'setTrustLineFlags': {
      const f = op.flags as Record<string, boolean | undefined>;
      const names: [string, string, number][] = [
        ['authorized', 'authorized', 1],
        ['authorizedToMaintainLiabilities', 'authorized_to_maintain_liabilites', 2],
        ['clawbackEnabled', 'clawback_enabled', 4],
      ];
      const set = names.filter(([k]) => f[k] === true);
      const clear = names.filter(([k]) => f[k] === false);
      return facts(
        {
          ...assetFields(op.asset),
          trustor: op.trustor,
          ...(set.length ? { set_flags: set.map((x) => x[2]), set_flags_s: set.map((x) => x[1]) } : {}),
          ...(clear.length
            ? { clear_flags: clear.map((x) => x[2]), clear_flags_s: clear.map((x) => x[1]) }
            : {}),
        },
        [op.trustor],
      );
    }
    case 'manageData':
      return facts({ name: op.name, value: op.value ? Buffer.from(op.value).toString('base64') : '' });
    case 'bumpSequence':
      return facts({ bump_to: op.bumpTo });
    case 'createClaimableBalance':
      return facts(
        {
          asset: op.asset.isNative() ? 'native' : `${op.asset.getCode()}:${op.asset.getIssuer()}`,
          amount: op.amount,
          claimants: op.claimants.map((c) => ({ destination: c.destination })),
        },
        op.claimants.map((c) => c.destination),
      );
    case 'claimClaimableBalance':
      return facts({ balance_id: op.balanceId, claimant: source });
    default:
      return facts({});
  }
}

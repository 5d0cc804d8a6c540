import { StrKey } from '@stellar/stellar-sdk';
import type { Context, Hono } from 'hono';
import { fromStroops, STROOPS_PER_UNIT, toStroops } from './amount.js';
import type { Ledger } from './ledger.js';
import { badRequest } from './problems.js';

export interface PathDeps {
  ledger: Ledger;
  rate(from: string, to: string): bigint | undefined;
}

/** GET /paths/strict-send and /paths/strict-receive over the fixed rates (one direct path per priced pair). */
export function registerPathRoutes(app: Hono, d: PathDeps): void {
  const { ledger } = d;
  // Path finding over the fixed rates: every pair with a rate is a direct path (no order book, `path` is empty).
  const assetParam = (c: Context, prefix: string): string => {
    const type = c.req.query(`${prefix}_asset_type`);
    if (type === 'native') return 'native';
    const code = c.req.query(`${prefix}_asset_code`) ?? '';
    const issuer = c.req.query(`${prefix}_asset_issuer`) ?? '';
    if (!/^[A-Za-z0-9]{1,12}$/.test(code) || !StrKey.isValidEd25519PublicKey(issuer)) {
      throw badRequest(`${prefix}_asset_type`, 'asset must be native or have a valid code and issuer');
    }
    return `${code}:${issuer}`;
  };
  const assetList = (c: Context, listKey: string, accountKey: string): string[] => {
    const list = c.req.query(listKey);
    if (list) return list.split(',').map((a) => a.trim());
    const account = c.req.query(accountKey);
    if (!account || !StrKey.isValidEd25519PublicKey(account)) {
      throw badRequest(listKey, `${listKey} or ${accountKey} is required`);
    }
    const acc = ledger.state.getAccount(account);
    return acc ? ['native', ...Object.keys(acc.trustLines)] : [];
  };
  const assetJson = (key: string, prefix: string) => {
    if (key === 'native') return { [`${prefix}_asset_type`]: 'native' };
    const [code, issuer] = key.split(':') as [string, string];
    return {
      [`${prefix}_asset_type`]: code.length <= 4 ? 'credit_alphanum4' : 'credit_alphanum12',
      [`${prefix}_asset_code`]: code,
      [`${prefix}_asset_issuer`]: issuer,
    };
  };
  const amountParam = (c: Context, key: string): bigint => {
    const raw = c.req.query(key) ?? '';
    const amount = /^\d+(\.\d{1,7})?$/.test(raw) ? toStroops(raw) : 0n;
    if (amount <= 0n) throw badRequest(key, 'must be a positive amount');
    return amount;
  };
  const rateOf = (from: string, to: string) => (from === to ? STROOPS_PER_UNIT : d.rate(from, to));
  const pathsPage = (c: Context, records: Record<string, unknown>[]) => {
    const self = { href: c.req.url };
    return c.json({ _links: { self, next: self, prev: self }, _embedded: { records } });
  };

  app.get('/paths/strict-send', (c) => {
    const source = assetParam(c, 'source');
    const sendAmount = amountParam(c, 'source_amount');
    const records = assetList(c, 'destination_assets', 'destination_account').flatMap((dest) => {
      const rate = rateOf(source, dest);
      if (!rate) return [];
      return [
        {
          ...assetJson(source, 'source'),
          source_amount: fromStroops(sendAmount),
          ...assetJson(dest, 'destination'),
          destination_amount: fromStroops((sendAmount * rate) / STROOPS_PER_UNIT),
          path: [],
        },
      ];
    });
    return pathsPage(c, records);
  });

  app.get('/paths/strict-receive', (c) => {
    const dest = assetParam(c, 'destination');
    const destAmount = amountParam(c, 'destination_amount');
    const records = assetList(c, 'source_assets', 'source_account').flatMap((source) => {
      const rate = rateOf(source, dest);
      if (!rate) return [];
      return [
        {
          ...assetJson(source, 'source'),
          source_amount: fromStroops((destAmount * STROOPS_PER_UNIT + rate - 1n) / rate),
          ...assetJson(dest, 'destination'),
          destination_amount: fromStroops(destAmount),
          path: [],
        },
      ];
    });
    return pathsPage(c, records);
  });
}

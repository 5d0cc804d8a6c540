import type { Client } from '@temporalio/client';
import { parse as parseToml } from 'smol-toml';
import type { AppConfig } from '../../config/index.js';
import { isSandboxSecret } from '../../config/sandbox-keys.js';
import { anchoredBalance, type Fetch, HorizonError, horizonGet, loadAccount } from '../../core/horizon.js';
import { type Db, migrationStatus } from '../../db/index.js';
import { migrations } from '../../db/migrations/index.js';
import { compareAmounts } from '../../stellar/money.js';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';

/**
 * Production readiness checks (`npm run doctor`, `GET /admin/ready`). Each check is a small function of injected
 * dependencies, so tests run them against a deliberately broken setup. A failing check says how to fix it.
 */
export interface DoctorContext {
  config: AppConfig;
  db: Db;
  /** Undefined when Temporal could not be reached: the Temporal checks then fail, the others still run. */
  temporal: Client | undefined;
  fetch?: Fetch;
  /** Postgres schema holding the migration table (tests); default: search_path. */
  dbSchema?: string;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do when it fails. */
  fix?: string;
}

type Check = { name: string; run(ctx: DoctorContext): Promise<Omit<CheckResult, 'name'>> };

const pass = (detail: string) => ({ ok: true, detail });
const fail = (detail: string, fix: string) => ({ ok: false, detail, fix });

const unreachable = (config: AppConfig) =>
  fail(
    `cannot connect to Temporal at ${config.temporal.address}`,
    'start Temporal or set TEMPORAL_ADDRESS (and TEMPORAL_TLS / TEMPORAL_API_KEY)',
  );

function tomlUrl(config: AppConfig): string {
  const scheme = config.profile === 'sandbox' ? new URL(config.api.publicUrl).protocol : 'https:';
  return `${scheme}//${config.api.homeDomain}/.well-known/stellar.toml`;
}

export const CHECKS: Check[] = [
  {
    name: 'horizon.passphrase',
    async run({ config, fetch: f }) {
      const root = await horizonGet<{ network_passphrase?: string }>(config, '/', f);
      return root.network_passphrase === config.stellar.networkPassphrase
        ? pass(`Horizon ${config.stellar.horizonUrl} serves "${root.network_passphrase}"`)
        : fail(
            `Horizon serves "${root.network_passphrase}", the ${config.profile} profile expects "${config.stellar.networkPassphrase}"`,
            "point HORIZON_URL at a Horizon of the profile's network (or pick the right PROFILE)",
          );
    },
  },
  {
    name: 'toml.matches_config',
    async run({ config, fetch: f = fetch }) {
      const url = tomlUrl(config);
      let text: string;
      try {
        const res = await f(url, { signal: AbortSignal.timeout(5000) });
        if (!res.ok)
          return fail(
            `${url} answered HTTP ${res.status}`,
            'serve stellar.toml at the home domain (HOME_DOMAIN / PUBLIC_URL), e.g. proxy /.well-known/stellar.toml to the API',
          );
        text = await res.text();
      } catch (err) {
        return fail(
          `${url} is unreachable: ${(err as Error).message}`,
          'make the home domain resolve to the API (DNS, TLS, reverse proxy)',
        );
      }
      let toml: Record<string, unknown>;
      try {
        toml = parseToml(text) as Record<string, unknown>;
      } catch {
        return fail(`${url} is not valid TOML`, "serve the API's own /.well-known/stellar.toml unmodified");
      }
      const problems: string[] = [];
      if (toml.NETWORK_PASSPHRASE !== config.stellar.networkPassphrase)
        problems.push('NETWORK_PASSPHRASE differs');
      if (toml.SIGNING_KEY !== config.stellar.signingKey)
        problems.push('SIGNING_KEY is not the public key of SIGNING_SECRET');
      const currencies = (toml.CURRENCIES ?? []) as { code?: string; issuer?: string }[];
      if (
        !currencies.some(
          (c) => c.code === config.stellar.assetCode && c.issuer === config.stellar.issuerAccount,
        )
      ) {
        problems.push(
          `no [[CURRENCIES]] entry for ${config.stellar.assetCode}:${config.stellar.issuerAccount}`,
        );
      }
      return problems.length === 0
        ? pass(`${url} matches the configuration`)
        : fail(
            `${url}: ${problems.join('; ')}`,
            'the toml at the home domain must be the one this deployment serves (same keys, same asset)',
          );
    },
  },
  {
    name: 'keys.distinct',
    async run({ config }) {
      const { issuerAccount, distributionAccount, signingKey } = config.stellar;
      const same: string[] = [];
      if (issuerAccount === distributionAccount) same.push('issuer = distribution');
      if (issuerAccount === signingKey) same.push('issuer = SEP-10 signing key');
      if (distributionAccount === signingKey) same.push('distribution = SEP-10 signing key');
      return same.length === 0
        ? pass('issuer, distribution and SEP-10 signing keys are three different accounts')
        : fail(
            same.join(', '),
            'use a separate key for each role: the issuer stays in cold storage, the signing key only signs SEP-10 challenges',
          );
    },
  },
  {
    name: 'issuer.home_domain',
    async run({ config, fetch: f }) {
      const issuer = await loadAccount(config, config.stellar.issuerAccount, f);
      if (!issuer)
        return fail(
          `issuer ${config.stellar.issuerAccount} does not exist`,
          'create and fund the issuing account, then npm run accounts:setup',
        );
      return issuer.home_domain === config.api.homeDomain
        ? pass(`issuer home_domain is ${issuer.home_domain}`)
        : fail(
            `issuer home_domain is ${issuer.home_domain ? `"${issuer.home_domain}"` : 'unset'}, expected "${config.api.homeDomain}" (S1-18)`,
            'set it with a set_options operation signed by the issuer (npm run accounts:setup prints the unsigned XDR)',
          );
    },
  },
  {
    name: 'distribution.trustline',
    async run({ config, fetch: f }) {
      const account = await loadAccount(config, config.stellar.distributionAccount, f);
      if (!account)
        return fail(
          `distribution ${config.stellar.distributionAccount} does not exist`,
          'fund the distribution account with XLM',
        );
      return anchoredBalance(config, account)
        ? pass(`distribution trusts ${config.stellar.assetCode}:${config.stellar.issuerAccount}`)
        : fail(
            `distribution has no trust line for ${config.stellar.assetCode}`,
            'npm run accounts:setup (adds the trust line with the distribution key)',
          );
    },
  },
  {
    name: 'distribution.balance',
    async run({ config, fetch: f }) {
      const account = await loadAccount(config, config.stellar.distributionAccount, f);
      const line = account ? anchoredBalance(config, account) : undefined;
      if (!line)
        return fail(
          'no balance of the anchored asset',
          'add the trust line, then let the top-up schedule fund it',
        );
      const alert = config.ops.distributionAlertBalance;
      return compareAmounts(line.balance, alert) >= 0
        ? pass(`distribution holds ${line.balance} ${config.stellar.assetCode} (alert below ${alert})`)
        : fail(
            `distribution holds ${line.balance} ${config.stellar.assetCode}, below DISTRIBUTION_ALERT_BALANCE ${alert}`,
            'sign the pending top-up (GET /admin/topups) or lower TOPUP_THRESHOLD/raise TOPUP_TARGET',
          );
    },
  },
  {
    name: 'issuer.no_offers',
    async run({ config, fetch: f }) {
      try {
        const page = await horizonGet<{ _embedded?: { records?: unknown[] } }>(
          config,
          `/accounts/${config.stellar.issuerAccount}/offers?limit=10`,
          f,
        );
        const n = page._embedded?.records?.length ?? 0;
        return n === 0
          ? pass('the issuer has no open offers')
          : fail(
              `the issuer has ${n} open offer(s)`,
              'market making belongs on a dedicated account, never the issuer: cancel them',
            );
      } catch (err) {
        if (err instanceof HorizonError && err.status === 404 && config.profile === 'sandbox') {
          return pass('sandbox ledger has no /offers route: treated as no offers (sandbox only)');
        }
        throw err;
      }
    },
  },
  {
    name: 'jwt.secret',
    async run({ config }) {
      const { jwtAlgorithm, jwtSecret, jwtPrivateKey } = config.auth;
      if (!jwtAlgorithm.startsWith('HS')) {
        return jwtPrivateKey
          ? pass(`${jwtAlgorithm} with a private key`)
          : fail(`${jwtAlgorithm} without a private key`, 'set the JWT private key');
      }
      if (isSandboxSecret(jwtSecret)) {
        return config.profile === 'sandbox'
          ? pass('sandbox JWT secret (fine for the sandbox only)')
          : fail('JWT_SECRET is the public sandbox secret', 'generate one: openssl rand -hex 32');
      }
      const distinct = new Set(jwtSecret).size;
      return jwtSecret.length >= 32 && distinct >= 12
        ? pass(`HS secret of ${jwtSecret.length} characters`)
        : fail(
            `JWT_SECRET is weak (${jwtSecret.length} characters, ${distinct} distinct)`,
            'generate one: openssl rand -hex 32',
          );
    },
  },
  {
    name: 'secrets.not_sandbox',
    async run({ config }) {
      if (config.profile === 'sandbox') return pass('sandbox profile: sandbox keys are expected');
      const leaked: string[] = [];
      if (isSandboxSecret(config.stellar.signingSecret)) leaked.push('SIGNING_SECRET');
      if (isSandboxSecret(config.stellar.distributionSecret)) leaked.push('DISTRIBUTION_SECRET');
      if (config.auth.jwtAlgorithm.startsWith('HS') && isSandboxSecret(config.auth.jwtSecret))
        leaked.push('JWT_SECRET');
      if (config.stellar.issuerSecret) leaked.push('ISSUER_SECRET (must never be set outside the sandbox)');
      return leaked.length === 0
        ? pass(`no sandbox secret in the ${config.profile} profile`)
        : fail(
            `publicly known sandbox secrets in ${config.profile}: ${leaked.join(', ')}`,
            'generate fresh keys for this profile and move the funds',
          );
    },
  },
  {
    name: 'temporal.namespace',
    async run({ config, temporal }) {
      if (!temporal) return unreachable(config);
      await temporal.workflowService.describeNamespace({ namespace: config.temporal.namespace });
      return pass(`namespace ${config.temporal.namespace} exists`);
    },
  },
  {
    name: 'temporal.search_attributes',
    async run({ config, temporal }) {
      if (!temporal) return unreachable(config);
      const res = await temporal.connection.operatorService.listSearchAttributes({
        namespace: config.temporal.namespace,
      });
      const present = new Set(Object.keys(res.customAttributes ?? {}));
      const missing = SEARCH_ATTRIBUTES.map((a) => a.name).filter((n) => !present.has(n));
      return missing.length === 0
        ? pass(`search attributes present: ${SEARCH_ATTRIBUTES.map((a) => a.name).join(', ')}`)
        : fail(
            `missing search attributes: ${missing.join(', ')}`,
            `temporal operator search-attribute create --namespace ${config.temporal.namespace} ${missing.map((n) => `--name ${n} --type Keyword`).join(' ')}`,
          );
    },
  },
  {
    name: 'db.migrations',
    async run({ db, dbSchema }) {
      const status = await migrationStatus(db, dbSchema);
      const pending = status.filter((m) => !m.executedAt).map((m) => m.name);
      return pending.length === 0
        ? pass(`all ${Object.keys(migrations).length} migrations applied`)
        : fail(`${pending.length} pending migration(s): ${pending.join(', ')}`, 'npm run migrate');
    },
  },
  {
    name: 'admin.keys',
    async run({ config }) {
      if (config.ops.adminKeys.length > 0)
        return pass(`${config.ops.adminKeys.length} admin key(s) configured`);
      return config.profile === 'sandbox'
        ? pass('no admin keys (the admin API refuses everything)')
        : fail(
            'no ADMIN_API_KEYS: withdrawals needing approval and top-ups cannot be handled',
            'add a key (see .env.example)',
          );
    },
  },
  {
    // Withdrawals above WITHDRAW_APPROVAL_THRESHOLD (or flagged by the limits) wait for an operator: someone must
    // be able to decide, or they wait until the SLA default (issue 13: the sandbox used to pass with no key).
    name: 'admin.approver',
    async run({ config }) {
      const approvers = config.ops.adminKeys.filter((k) => k.scopes.has('transactions:write'));
      return approvers.length > 0
        ? pass(`${approvers.map((k) => k.name).join(', ')} can approve withdrawals held for review`)
        : fail(
            `withdrawals above ${config.withdraw.approvalThreshold} ${config.stellar.assetCode} wait for an operator, and no admin key has the transactions:write scope to approve them`,
            config.profile === 'sandbox'
              ? 'npm start creates an operator key (printed once); or npm run admin:key -- <name> transactions:read,transactions:write and add the entry to ADMIN_API_KEYS'
              : 'npm run admin:key -- <name> transactions:read,transactions:write, add the entry to ADMIN_API_KEYS and restart the API',
          );
    },
  },
];

/** Runs every check (each with its own timeout); an exception is a failure carrying its message. */
export async function runDoctor(ctx: DoctorContext, timeoutMs = 8000): Promise<CheckResult[]> {
  return Promise.all(
    CHECKS.map(async (check): Promise<CheckResult> => {
      try {
        const result = await Promise.race([
          check.run(ctx),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs).unref(),
          ),
        ]);
        return { name: check.name, ...result };
      } catch (err) {
        return {
          name: check.name,
          ok: false,
          detail: `check failed: ${(err as Error).message}`,
          fix: 'make the dependency reachable, then run the doctor again',
        };
      }
    }),
  );
}

export function formatReport(results: CheckResult[]): string {
  const lines = results.map(
    (r) =>
      `${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(28)} ${r.detail}${r.ok || !r.fix ? '' : `\n      fix: ${r.fix}`}`,
  );
  const failed = results.filter((r) => !r.ok).length;
  lines.push(
    '',
    failed === 0 ? `all ${results.length} checks pass` : `${failed} of ${results.length} checks FAIL`,
  );
  return lines.join('\n');
}

import type { z } from 'zod';
import { buildAuthConfig } from './auth.js';
import { buildBankConfig } from './bank.js';
import { buildContext } from './context.js';
import { buildCoreConfig } from './core.js';
import type { ConfigIssue } from './errors.js';
import { buildKycConfig } from './kyc.js';
import { buildOpsConfig } from './ops.js';
import { buildPaymentsConfig } from './payments.js';
import { profileIssues } from './profile-rules.js';
import { buildSandboxConfig } from './sandbox.js';
import { envSchema } from './schema.js';
import { buildSep1Config } from './sep1.js';
import { buildSep24Config } from './sep24.js';
import { buildSep38Config } from './sep38.js';
import { buildStellarConfig } from './stellar.js';
import { buildWithdrawConfig } from './withdraw.js';

/**
 * The whole configuration as one schema: the environment keys of `envSchema` in, the camelCase `AppConfig` out.
 * The transform runs only once every key is well-formed; it then checks what spans keys (the profile's rules,
 * limits against each other, keys against accounts) and fails naming every such problem at once.
 */
export const appConfigSchema = envSchema.transform((e, zod) => {
  const issues: ConfigIssue[] = profileIssues(e);
  const ctx = buildContext(e, issues);
  const stellar = buildStellarConfig(e, ctx);
  const config = {
    ...buildCoreConfig(e, ctx),
    stellar,
    sandbox: buildSandboxConfig(e),
    payments: buildPaymentsConfig(e, ctx, stellar.distributionAccount),
    bank: buildBankConfig(e, ctx),
    ...buildAuthConfig(e, ctx),
    sep1: buildSep1Config(e, ctx),
    ops: buildOpsConfig(e, ctx),
    withdraw: buildWithdrawConfig(e),
    ...buildSep24Config(e, ctx),
    sep38: buildSep38Config(e, ctx),
    kyc: buildKycConfig(e, ctx),
  };
  for (const { key, message } of issues)
    zod.issues.push({ code: 'custom', path: [key], message, input: undefined });
  return config;
});

export type AppConfig = z.output<typeof appConfigSchema>;

export type PaymentsConfig = AppConfig['payments'];
export type AuthConfig = AppConfig['auth'];
export type Sep10Config = AppConfig['sep10'];
export type Sep1Config = AppConfig['sep1'];
export type OpsConfig = AppConfig['ops'];
export type WithdrawConfig = AppConfig['withdraw'];
export type KycConfig = AppConfig['kyc'];
export type Sep38Config = AppConfig['sep38'];
/** One direction of SEP-24 for ASSET_CODE: limits and fee schedule as decimal strings (S24-04, S24-06). */
export type Sep24AssetOperation = AppConfig['sep24']['deposit'];
export type DepositMatching = AppConfig['bank']['depositMatching'];

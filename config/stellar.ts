import { Keypair, Networks } from '@stellar/stellar-sdk';
import { type BuildContext, withoutTrailingSlash } from './context.js';
import { sandboxKeypair } from './sandbox-keys.js';
import type { Env, Profile } from './schema.js';

const HORIZON_BY_PROFILE: Record<Profile, string> = {
  sandbox: '', // the local sandbox ledger; its port comes from SANDBOX_HORIZON_PORT
  testnet: 'https://horizon-testnet.stellar.org',
  mainnet: 'https://horizon.stellar.org',
};

/** The sandbox uses the Test SDF Network passphrase: wallet tools accept only the two public ones. */
const PASSPHRASE_BY_PROFILE: Record<Profile, string> = {
  sandbox: Networks.TESTNET,
  testnet: Networks.TESTNET,
  mainnet: Networks.PUBLIC,
};

/** The network, Horizon and the anchor's three accounts (SEP-10 signing, distribution, issuer). */
export function buildStellarConfig(e: Env, ctx: BuildContext) {
  const horizonUrl = withoutTrailingSlash(
    e.HORIZON_URL ??
      (ctx.sandbox ? `http://localhost:${e.SANDBOX_HORIZON_PORT}` : HORIZON_BY_PROFILE[e.PROFILE]),
  );
  const signingSecret = e.SIGNING_SECRET ?? sandboxKeypair('signing').secret();
  const distributionSecret = e.DISTRIBUTION_SECRET ?? sandboxKeypair('distribution').secret();
  const issuerAccount = e.ISSUER_PUBLIC_KEY ?? sandboxKeypair('issuer').publicKey();
  // The schema checked the seeds' form; their checksum shows only when decoded.
  const signingKey = publicKeyOf(signingSecret);
  const distributionAccount = publicKeyOf(distributionSecret);
  if (!signingKey) ctx.issues.push({ key: 'SIGNING_SECRET', message: 'is not a valid Stellar secret seed' });
  if (!distributionAccount) {
    ctx.issues.push({ key: 'DISTRIBUTION_SECRET', message: 'is not a valid Stellar secret seed' });
  }
  if (signingKey && distributionAccount && signingKey === distributionAccount) {
    ctx.issues.push({ key: 'SIGNING_SECRET', message: 'must differ from DISTRIBUTION_SECRET' });
  }
  if (issuerAccount === distributionAccount) {
    ctx.issues.push({
      key: 'DISTRIBUTION_SECRET',
      message: 'the distribution account must not be the issuing account',
    });
  }
  return {
    networkPassphrase: PASSPHRASE_BY_PROFILE[e.PROFILE],
    horizonUrl,
    /** Plain-http Horizon is allowed only in the sandbox profile. */
    allowHttp: ctx.sandbox,
    signingSecret,
    signingKey: signingKey ?? '',
    distributionSecret,
    distributionAccount: distributionAccount ?? '',
    issuerAccount,
    /** Only ever set in the sandbox profile. */
    issuerSecret: ctx.sandbox ? (e.ISSUER_SECRET ?? sandboxKeypair('issuer').secret()) : undefined,
    assetCode: e.ASSET_CODE,
  };
}

function publicKeyOf(secret: string): string | undefined {
  try {
    return Keypair.fromSecret(secret).publicKey();
  } catch {
    return undefined;
  }
}

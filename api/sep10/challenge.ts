import { Keypair, StrKey, WebAuth } from '@stellar/stellar-sdk';
import type { AppConfig } from '../../config/index.js';
import { badRequest } from '../middleware/errors.js';
import { type ClientDomainOptions, fetchClientSigningKey } from './client-domain.js';

export interface ChallengeRequest {
  account: string;
  memo?: string | undefined;
  homeDomain?: string | undefined;
  clientDomain?: string | undefined;
}

export interface ChallengeResponse {
  transaction: string;
  network_passphrase: string;
}

const MAX_UINT64 = 2n ** 64n - 1n;

const serverKeys = new WeakMap<AppConfig['stellar'], Keypair>();
export function serverKeypair(config: AppConfig): Keypair {
  let kp = serverKeys.get(config.stellar);
  if (!kp) {
    kp = Keypair.fromSecret(config.stellar.signingSecret);
    serverKeys.set(config.stellar, kp);
  }
  return kp;
}

/** Checks the GET parameters (S10-02..05) and names the one that is wrong. */
export function validateChallengeRequest(config: AppConfig, req: ChallengeRequest): { homeDomain: string } {
  const { account, memo } = req;
  const muxed = StrKey.isValidMed25519PublicKey(account);
  if (!StrKey.isValidEd25519PublicKey(account) && !muxed) {
    throw badRequest(
      'account must be a Stellar account address (G...) or muxed address (M...)',
      'invalid_account',
    );
  }
  if (memo !== undefined) {
    if (muxed) throw badRequest('memo cannot be combined with a muxed (M...) account', 'invalid_memo');
    if (!/^\d{1,20}$/.test(memo) || BigInt(memo) > MAX_UINT64) {
      throw badRequest(
        'memo must be an id memo: a decimal integer from 0 to 18446744073709551615',
        'invalid_memo',
      );
    }
  }
  const homeDomain = req.homeDomain ?? config.sep10.homeDomains[0]!;
  if (!config.sep10.homeDomains.includes(homeDomain)) {
    throw badRequest(
      `home_domain ${homeDomain} is not served here; use one of: ${config.sep10.homeDomains.join(', ')}`,
      'invalid_home_domain',
    );
  }
  return { homeDomain };
}

/**
 * A fresh challenge (S10-07..17): server-sourced, sequence 0, time bounds now..now+timeout, op[0] `<home_domain>
 * auth` with 48 random bytes from the client account, `web_auth_domain`, optional `client_domain` and memo, and
 * the server's one signature over the network passphrase. The SDK builds it.
 */
export async function createChallenge(
  config: AppConfig,
  req: ChallengeRequest,
  clientDomainOptions: ClientDomainOptions,
): Promise<ChallengeResponse> {
  const { homeDomain } = validateChallengeRequest(config, req);
  let clientSigningKey: string | undefined;
  if (req.clientDomain !== undefined) {
    clientSigningKey = await fetchClientSigningKey(req.clientDomain, clientDomainOptions);
    if (clientSigningKey === config.stellar.signingKey) {
      throw badRequest(
        'client_domain SIGNING_KEY must not be this server’s signing key',
        'client_domain_invalid_toml',
      );
    }
  }
  const transaction = WebAuth.buildChallengeTx(
    serverKeypair(config),
    req.account,
    homeDomain,
    config.sep10.challengeTimeoutSeconds,
    config.stellar.networkPassphrase,
    config.sep10.webAuthDomain,
    req.memo ?? null,
    req.clientDomain ?? null,
    clientSigningKey ?? null,
  );
  return { transaction, network_passphrase: config.stellar.networkPassphrase };
}

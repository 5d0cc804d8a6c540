import { Keypair } from '@stellar/stellar-sdk';
import { ApplicationFailure, log } from '@temporalio/activity';
import type { AppConfig } from '../config/index.js';

/**
 * Wallet callbacks (on_change_callback and the one-shot interactive `callback`, S24-19): POST the exact
 * `/transaction` body with `Signature: t=<unix>, s=<base64 ed25519 over "<t>.<host>.<body>">` (S12-24), where
 * host is the callback URL's host. Each attempt signs afresh with the time of sending (S12-25); a non-2xx
 * answer throws so the activity retry policy backs off and tries again.
 */

export function signCallback(secret: string, url: string, body: string, t: number): string {
  const host = new URL(url).host;
  const signature = Keypair.fromSecret(secret).sign(Buffer.from(`${t}.${host}.${body}`, 'utf8'));
  return `t=${t}, s=${signature.toString('base64')}`;
}

export interface CallbackInput {
  transactionId: string;
  url: string;
  body: string;
}

export function createNotifyActivities(deps: { config: AppConfig }) {
  return {
    async postTransactionCallback(input: CallbackInput): Promise<{ status: number }> {
      let url: URL;
      try {
        url = new URL(input.url);
      } catch {
        throw ApplicationFailure.nonRetryable('callback URL is malformed', 'CallbackUrlInvalid');
      }
      if (url.protocol !== 'https:' && !(deps.config.profile === 'sandbox' && url.protocol === 'http:')) {
        throw ApplicationFailure.nonRetryable('callback URL must be https', 'CallbackUrlInvalid');
      }
      const t = Math.floor(Date.now() / 1000);
      const signature = signCallback(deps.config.stellar.signingSecret, input.url, input.body, t);
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Signature: signature,
          'X-Stellar-Signature': signature, // the older header name some SEP-12 wallets still read
        },
        body: input.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      await res.body?.cancel().catch(() => {});
      if (res.status < 200 || res.status >= 300) {
        log.warn('wallet callback refused', {
          transactionId: input.transactionId,
          status: res.status,
          host: url.host,
        });
        throw new Error(`callback answered HTTP ${res.status}`);
      }
      return { status: res.status };
    },
  };
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;

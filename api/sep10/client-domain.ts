import { StrKey } from '@stellar/stellar-sdk';
import { parse } from 'smol-toml';
import { badRequest, HttpError } from '../middleware/errors.js';

const HOST =
  /^(?=.{1,253}(:\d{1,5})?$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:\d{1,5})?$/;
const MAX_TOML_BYTES = 100 * 1024; // S1-04

export interface ClientDomainOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  /** Sandbox only: `localhost`-style domains are fetched over plain http so tests can serve a toml locally. */
  allowHttpLocal: boolean;
}

function isLocal(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '127.0.0.1';
}

/**
 * The SIGNING_KEY of `https://<domain>/.well-known/stellar.toml` (S10-05, S10-14). Every failure is a 400 that
 * says what went wrong; redirects are not followed (like the SDK's toml resolver) so a domain cannot point us
 * at an internal address.
 */
export async function fetchClientSigningKey(domain: string, opts: ClientDomainOptions): Promise<string> {
  if (!HOST.test(domain) || domain.length > 64) {
    throw badRequest(
      'client_domain must be a domain name (at most 64 bytes), e.g. wallet.example.com',
      'invalid_client_domain',
    );
  }
  const hostname = domain.replace(/:\d+$/, '');
  const local = isLocal(hostname);
  if (!opts.allowHttpLocal && (local || /^[\d.]+$/.test(hostname) || !hostname.includes('.'))) {
    throw badRequest('client_domain must be a public domain name', 'invalid_client_domain');
  }
  const url = `${opts.allowHttpLocal && local ? 'http' : 'https'}://${domain}/.well-known/stellar.toml`;
  let body: string;
  try {
    const res = await opts.fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
      headers: { Accept: 'text/plain, application/toml, */*' },
    });
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      throw badRequest(`client_domain: ${url} answered HTTP ${res.status}`, 'client_domain_unreachable');
    }
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > MAX_TOML_BYTES) {
      await res.body?.cancel().catch(() => {});
      throw badRequest(`client_domain: ${url} is larger than 100 KB`, 'client_domain_invalid_toml');
    }
    body = await res.text();
  } catch (err) {
    if (err instanceof HttpError) throw err;
    const name = (err as Error).name;
    const reason =
      name === 'TimeoutError' || name === 'AbortError'
        ? `timed out after ${opts.timeoutMs} ms`
        : 'could not be fetched';
    throw badRequest(`client_domain: ${url} ${reason}`, 'client_domain_unreachable');
  }
  if (Buffer.byteLength(body) > MAX_TOML_BYTES) {
    throw badRequest(`client_domain: ${url} is larger than 100 KB`, 'client_domain_invalid_toml');
  }
  let signingKey: unknown;
  try {
    signingKey = parse(body).SIGNING_KEY;
  } catch {
    throw badRequest(`client_domain: ${url} is not valid TOML`, 'client_domain_invalid_toml');
  }
  if (typeof signingKey !== 'string' || !StrKey.isValidEd25519PublicKey(signingKey)) {
    throw badRequest(`client_domain: ${url} has no valid SIGNING_KEY`, 'client_domain_invalid_toml');
  }
  return signingKey;
}

import type { Sep24Api } from './sep24.helpers.js';

/** SEP-38 calls against the whole app (createApp), as a wallet makes them. */
export const USDC_ID = (api: Sep24Api) => `stellar:USDC:${api.config.stellar.issuerAccount}`;

export async function getJson(api: Sep24Api, path: string, token?: string) {
  const res = await api.request(path, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  return { status: res.status, type: res.headers.get('Content-Type') ?? '', body: (await res.json()) as any };
}

export async function postQuote(api: Sep24Api, token: string | null, body: unknown) {
  const res = await api.request('/sep38/quote', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

export const qs = (params: Record<string, string | undefined>) =>
  new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
  ).toString();

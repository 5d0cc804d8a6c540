import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createSep24Api, type Sep24Api } from './sep24.helpers.js';

/**
 * X-11 / issue 13 acceptance: the SEP-24 JSON API answers its `error` in the caller's language — `lang` (query
 * or body), else Accept-Language, else English — and the English text stays what it always was.
 */
describe('SEP-24 API errors in the caller language (X-11, S24-08, S24-09, S24-38)', () => {
  let api: Sep24Api;
  let token: string;

  beforeAll(async () => {
    api = await createSep24Api({ SEP24_DEPOSIT_MIN_AMOUNT: '10', SEP24_DEPOSIT_MAX_AMOUNT: '1000' });
    token = await api.tokenFor(Keypair.random().publicKey());
  });
  afterAll(async () => {
    await api?.close();
  });

  const deposit = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await api.request('/sep24/transactions/deposit/interactive', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...bearer(token), ...headers },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    return ((await res.json()) as { error: string }).error;
  };

  it('Accept-Language: es-ES and pt-BR give Spanish and Portuguese errors; no header gives the English one', async () => {
    const tooMuch = { asset_code: 'USDC', amount: '5000' };
    expect(await deposit(tooMuch)).toBe('amount is above the maximum of 1000');
    expect(await deposit(tooMuch, { 'Accept-Language': 'es-ES,es;q=0.9' })).toBe(
      'El importe supera el máximo de 1000',
    );
    expect(await deposit(tooMuch, { 'Accept-Language': 'pt-BR' })).toBe(
      'O valor está acima do máximo de 1000',
    );
    expect(await deposit({ asset_code: 'EURC' }, { 'Accept-Language': 'pt-BR,pt;q=0.8' })).toMatch(
      /^O ativo EURC não é oferecido/,
    );
    expect(await deposit({ asset_code: 'USDC', account: 'GNOPE' }, { 'Accept-Language': 'es-ES' })).toBe(
      'account debe ser una cuenta Stellar válida (G..., M... o C...)',
    );
  });

  it('the body `lang` wins over Accept-Language; an unsupported language falls back to English', async () => {
    expect(
      await deposit({ asset_code: 'USDC', amount: '1', lang: 'es' }, { 'Accept-Language': 'pt-BR' }),
    ).toBe('El importe es inferior al mínimo de 10');
    expect(await deposit({ asset_code: 'USDC', amount: '1' }, { 'Accept-Language': 'de-DE' })).toBe(
      'amount is below the minimum of 10',
    );
  });

  it('GET errors follow the `lang` query and Accept-Language (S24-38 not found, bad filter)', async () => {
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const res = await api.request(path, { headers: { ...bearer(token), ...headers } });
      return { status: res.status, error: ((await res.json()) as { error: string }).error };
    };
    expect(await get(`/sep24/transaction?id=${crypto.randomUUID()}&lang=pt-BR`)).toEqual({
      status: 404,
      error: 'Transação não encontrada',
    });
    expect(await get(`/sep24/transaction?id=${crypto.randomUUID()}`, { 'Accept-Language': 'es-ES' })).toEqual(
      {
        status: 404,
        error: 'No se encontró la operación',
      },
    );
    const badFilter = await get('/sep24/transactions?asset_code=EURC', { 'Accept-Language': 'es-ES' });
    expect(badFilter.status).toBe(400);
    expect(badFilter.error).toMatch(/^El activo EURC no está disponible/);
    // A schema failure: the sentence around the schema's own words is in the caller's language.
    const noId = await get('/sep24/transaction', { 'Accept-Language': 'pt-BR' });
    expect(noId.status).toBe(400);
    expect(noId.error).toMatch(/^Requisição inválida: send exactly one of id/);
    const badLimit = await get('/sep24/transactions?asset_code=USDC&limit=x', { 'Accept-Language': 'es-ES' });
    expect(badLimit.status).toBe(400);
    expect(badLimit.error).toMatch(/^Revisa estos campos: limit\b/);
  });
});

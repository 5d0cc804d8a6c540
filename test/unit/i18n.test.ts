import { describe, expect, it } from 'vitest';
import '../../api/interactive/index.js';
import { parseTypedAmount } from '../../core/i18n/amount.js';
import {
  acceptedLang,
  formatMoney,
  formatPercent,
  negotiateLang,
  registeredCatalogs,
  resolveLang,
  SUPPORTED_LANGS,
} from '../../core/i18n/index.js';
import '../../core/i18n/pages.js';
import '../../core/i18n/sep24.js';
import '../../core/i18n/withdraw.js';

/** The language negotiation, the one amount reader and the one money formatter of the hosted pages (#13). */
describe('i18n: languages', () => {
  it('lang, else Accept-Language (q-values, header order on ties, q=0 excluded), else the stored one, else en', () => {
    expect(resolveLang('pt')).toBe('pt-BR');
    expect(resolveLang('pt_BR')).toBe('pt-BR');
    expect(resolveLang('es-MX')).toBe('es');
    expect(resolveLang('fr')).toBe('en');
    expect(acceptedLang('fr-FR,fr;q=0.9,es;q=0.8,en;q=0.7')).toBe('es');
    expect(acceptedLang('en;q=0.5, pt-BR')).toBe('pt-BR');
    expect(acceptedLang('es;q=0, en;q=0.1')).toBe('en');
    expect(acceptedLang('*')).toBeUndefined();
    expect(acceptedLang('de, fr')).toBeUndefined();
    expect(negotiateLang({ lang: 'es', acceptLanguage: 'pt-BR', stored: 'en' })).toBe('es');
    expect(negotiateLang({ lang: 'xx', acceptLanguage: 'pt-BR,pt;q=0.9', stored: 'en' })).toBe('pt-BR');
    expect(negotiateLang({ acceptLanguage: 'de', stored: 'es' })).toBe('es');
    expect(negotiateLang({})).toBe('en');
  });

  it('no catalog misses a key in any language (every registered catalog, every supported language)', () => {
    const missing: string[] = [];
    for (const { name, catalog } of registeredCatalogs()) {
      const english = Object.keys(catalog.en);
      for (const lang of SUPPORTED_LANGS) {
        const own = catalog[lang] ?? {};
        for (const key of english) if (!(key in own)) missing.push(`${name}/${lang}: ${key}`);
        for (const key of Object.keys(own))
          if (!(key in catalog.en)) missing.push(`${name}/${lang}: extra ${key}`);
      }
    }
    expect(registeredCatalogs().map((c) => c.name)).toEqual(
      expect.arrayContaining(['base', 'pages', 'withdraw']),
    );
    expect(missing).toEqual([]);
  });

  it('placeholders match English in every translation', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const wrong: string[] = [];
    for (const { name, catalog } of registeredCatalogs()) {
      for (const lang of SUPPORTED_LANGS) {
        for (const [key, text] of Object.entries(catalog[lang] ?? {})) {
          const en = catalog.en[key];
          if (en !== undefined && names(en).join() !== names(text).join())
            wrong.push(`${name}/${lang}: ${key}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('i18n: typed amounts (one reader, per language)', () => {
  const ok = (lang: string, input: string) => {
    const r = parseTypedAmount(lang, input);
    return r.ok ? r.amount : r.reason;
  };

  it('grouping accepted where it can only be grouping: "1,000" en is 1000, never 1.00', () => {
    expect(ok('en', '1,000')).toBe('1000');
    expect(ok('en', '2,500.00')).toBe('2500');
    expect(ok('en', '1,234,567.89')).toBe('1234567.89');
    expect(ok('en', '25.50')).toBe('25.5');
    expect(ok('en', ' 1 000 ')).toBe('1000');
    expect(ok('es', '5.000,50')).toBe('5000.5');
    expect(ok('es', '250,5')).toBe('250.5');
    expect(ok('es', '5.000')).toBe('5000');
    expect(ok('pt-BR', '1.234,56')).toBe('1234.56');
    expect(ok('pt-BR', '10,00')).toBe('10');
    // A separator that cannot be grouping is the decimal one in either convention.
    expect(ok('en', '25,5')).toBe('25.5');
    expect(ok('es', '25.5')).toBe('25.5');
  });

  it('ambiguous input is refused with both readings in the canonical form of the language', () => {
    expect(parseTypedAmount('en', '2.500')).toEqual({
      ok: false,
      reason: 'ambiguous',
      readings: ['2.5', '2,500'],
    });
    expect(parseTypedAmount('es', '2,500')).toEqual({
      ok: false,
      reason: 'ambiguous',
      readings: ['2,5', '2500'],
    });
    expect(parseTypedAmount('pt-BR', '1,000')).toEqual({
      ok: false,
      reason: 'ambiguous',
      readings: ['1', '1.000'],
    });
  });

  it('malformed input is invalid, never a guess', () => {
    for (const bad of [
      '',
      'abc',
      '1,00,0',
      '1.000,5.5',
      '12,34,56',
      '1..0',
      ',5',
      '5,',
      '1e3',
      '-5',
      '1.12345678',
    ]) {
      expect(ok('en', bad), bad).toBe('invalid');
    }
    expect(ok('es', '1.000.5')).toBe('invalid');
  });
});

describe('i18n: one money formatter', () => {
  it('Intl grouping and decimals of the language, the display decimals, and the unit of the amount', () => {
    expect(formatMoney('en', '10000', 'USDC')).toBe('10,000.00 USDC');
    expect(formatMoney('es', '10000', 'USD')).toBe('10.000,00 USD');
    expect(formatMoney('pt-BR', '1234.5', 'USD')).toBe('1.234,50 USD');
    expect(formatMoney('en', '3.505', 'USD')).toBe('3.505 USD');
    expect(formatMoney('en', '1', 'USDC', 0)).toBe('1 USDC');
    expect(formatMoney('en', '0.0000001', 'USDC')).toBe('0.0000001 USDC');
    expect(formatPercent('en', '1.5')).toBe('1.5%');
    expect(formatPercent('es', '1.5')).toBe('1,5 %');
    expect(formatPercent('pt-BR', '0')).toBe('0%');
  });
});

import { describe, expect, it } from 'vitest';
import {
  extendCatalog,
  formatAmount,
  formatByteSize,
  formatDate,
  langFromAcceptLanguage,
  parseLocalDate,
  resolveLang,
  translate,
} from '../../core/i18n/index.js';
import { en } from '../../core/i18n/messages/en.js';
import { es } from '../../core/i18n/messages/es.js';
import { kycRequirement } from '../../core/policies/kyc-tiers.js';
import { computeTierStatus } from '../../db/customers.js';
import { parseAmount } from '../../stellar/money.js';
import {
  canonicalSep9Name,
  countryOptions,
  SEP9_FIELDS,
  sep12Type,
  tierFields,
  validateSep9Value,
} from '../../stellar/sep9.js';
import { testConfig } from '../helpers/config.js';

const today = '2026-11-25';
const code = (name: string, value: string, opts = {}) =>
  validateSep9Value(name, value, { today, ...opts })?.code;

describe('SEP-9 catalogue and validators', () => {
  it('S9-01: names are flat strings with dots kept (organization.*, card.*)', () => {
    expect(SEP9_FIELDS.has('organization.name')).toBe(true);
    expect(SEP9_FIELDS.has('card.expiration_date')).toBe(true);
    expect([...SEP9_FIELDS.keys()].every((k) => !k.includes(' '))).toBe(true);
  });

  it('S9-07: family_name/given_name are aliases of last_name/first_name; unknown names are not SEP-9', () => {
    expect(canonicalSep9Name('family_name')).toBe('last_name');
    expect(canonicalSep9Name('given_name')).toBe('first_name');
    expect(canonicalSep9Name('favourite_colour')).toBeUndefined();
  });

  it('S9-08: SEP-12 types: binary, date, number, string', () => {
    expect(sep12Type('photo_id_front')).toBe('binary');
    expect(sep12Type('birth_date')).toBe('date');
    expect(sep12Type('occupation')).toBe('number');
    expect(sep12Type('organization.number_of_shareholders')).toBe('number');
    expect(sep12Type('email_address')).toBe('string');
  });

  it('S9-02: email', () => {
    expect(code('email_address', 'jane@example.com')).toBeUndefined();
    expect(code('email_address', 'jane.doe+kyc@sub.example.co.uk')).toBeUndefined();
    for (const bad of ['jane', 'jane@', '@example.com', 'jane@example', 'ja ne@example.com']) {
      expect(code('email_address', bad), bad).toBe('email');
    }
  });

  it('S9-02 / X-14: dates are real calendar dates YYYY-MM-DD; birth dates not in the future', () => {
    expect(code('birth_date', '1990-12-31')).toBeUndefined();
    expect(code('birth_date', '2000-02-29')).toBeUndefined();
    for (const bad of ['1990-02-30', '1990-13-01', '31/12/1990', '1990-1-1', '19901231']) {
      expect(code('birth_date', bad), bad).toBe('date');
    }
    expect(code('birth_date', '2026-11-26')).toBe('date_future');
    expect(code('id_expiration_date', '2026-11-24')).toBe('date_past');
    expect(code('id_expiration_date', '2030-01-01')).toBeUndefined();
  });

  it('S9-02: countries are ISO 3166-1 alpha-3 (real codes only); card.country_code is alpha-2 (S9-06)', () => {
    expect(code('address_country_code', 'USA')).toBeUndefined();
    expect(code('address_country_code', 'ESP')).toBeUndefined();
    for (const bad of ['US', 'usa', 'XYZ', 'Spain'])
      expect(code('address_country_code', bad), bad).toBe('country_alpha3');
    expect(code('card.country_code', 'US')).toBeUndefined();
    expect(code('card.country_code', 'USA')).toBe('country_alpha2');
  });

  it('S9-02: phone numbers are E.164 unless mobile_number_format=hash (S9-03)', () => {
    expect(code('mobile_number', '+14155552671')).toBeUndefined();
    for (const bad of ['14155552671', '+0123456789', '+1 415 555 2671', '+1'])
      expect(code('mobile_number', bad), bad).toBe('phone');
    expect(code('mobile_number', 'a3f5c9', { mobileNumberFormat: 'hash' })).toBeUndefined();
    expect(code('mobile_money_number', '0612')).toBe('phone');
  });

  it('S9-02: language ISO 639-1, occupation ISCO-08, choices, card expiry YY-MM, lengths', () => {
    expect(code('language_code', 'es')).toBeUndefined();
    expect(code('language_code', 'spa')).toBe('language');
    expect(code('occupation', '2511')).toBeUndefined();
    expect(code('occupation', 'developer')).toBe('occupation');
    expect(code('sex', 'female')).toBeUndefined();
    expect(code('sex', 'f')).toBe('choice');
    expect(code('card.expiration_date', '29-11')).toBeUndefined();
    expect(code('card.expiration_date', '2029-11')).toBe('card_expiry');
    expect(code('first_name', 'x'.repeat(201))).toBe('too_long');
    expect(code('first_name', '')).toBe('required');
    expect(code('ip_address', '10.0.0.1')).toBeUndefined();
    expect(code('ip_address', '999.0.0.1')).toBe('ip');
  });

  it('country options are localized and alpha-3', () => {
    const es = countryOptions('es');
    expect(es.find((c) => c.code === 'ESP')?.name).toBe('España');
    expect(es.every((c) => /^[A-Z]{3}$/.test(c.code))).toBe(true);
  });
});

describe('i18n', () => {
  it('X-11: resolves ISO 639-1 and RFC 4646 tags; unknown falls back to en', () => {
    expect(resolveLang('es')).toBe('es');
    expect(resolveLang('es-MX')).toBe('es');
    expect(resolveLang('ES_es')).toBe('es');
    expect(resolveLang('fr')).toBe('en');
    expect(resolveLang(undefined)).toBe('en');
    expect(langFromAcceptLanguage('fr-FR,es;q=0.8,en;q=0.5')).toBe('es');
    expect(langFromAcceptLanguage('de')).toBe('en');
  });

  it('every Spanish key exists in English, and every English key has a Spanish translation', () => {
    expect(Object.keys(es).filter((k) => !(k in en))).toEqual([]);
    expect(Object.keys(en).filter((k) => !(k in es))).toEqual([]);
  });

  it('translates with parameters and falls back to English, then to the key', () => {
    expect(translate('es', 'sep9.error.too_long', { label: 'Nombre', max: 5 })).toBe(
      'Nombre: como máximo 5 caracteres.',
    );
    const t = extendCatalog({ en: { 'x.only_en': 'Only {n}' }, es: {} });
    expect(t('es').t('x.only_en', { n: 1 })).toBe('Only 1');
    expect(t('es').t('x.missing')).toBe('x.missing');
  });

  it('formats dates and amounts in the language, without float rounding', () => {
    expect(formatDate('en', '1990-12-31')).toBe('12/31/1990');
    expect(formatDate('es', '1990-12-31')).toBe('31/12/1990');
    expect(formatAmount('en', '1234567.1234567')).toBe('1,234,567.1234567');
    expect(formatAmount('es', '1234567.1234567')).toBe('1.234.567,1234567');
    expect(formatAmount('es', '1000', { minimumFractionDigits: 2 })).toMatch(/^1\.?000,00$/);
  });

  it('formats upload limits in KB or MB in the language', () => {
    expect(formatByteSize('es', 64 * 1024)).toBe('64 KB');
    expect(formatByteSize('en', 10 * 1024 * 1024)).toBe('10 MB');
    expect(formatByteSize('es', 1.5 * 1024 * 1024)).toBe('1,5 MB');
  });

  it('parses dates typed in the language order, and ISO always', () => {
    expect(parseLocalDate('es', '31/12/1990')).toBe('1990-12-31');
    expect(parseLocalDate('en', '12/31/1990')).toBe('1990-12-31');
    expect(parseLocalDate('en', '31/12/1990')).toBeUndefined();
    expect(parseLocalDate('es', '1990-12-31')).toBe('1990-12-31');
    expect(parseLocalDate('es', '30/02/1990')).toBeUndefined();
    expect(parseLocalDate('es', 'ayer')).toBeUndefined();
  });
});

describe('KYC tiers (issue 6)', () => {
  const config = testConfig({ KYC_TIER1_MAX_AMOUNT: '1000' });

  it('tier 1 up to and including KYC_TIER1_MAX_AMOUNT, tier 2 above, compared in stroops', () => {
    expect(kycRequirement(config, {}).tier).toBe(1);
    expect(kycRequirement(config, { amount: '1000' }).tier).toBe(1);
    expect(kycRequirement(config, { amount: '1000.0000001' }).tier).toBe(2);
    expect(kycRequirement(config, { amount: '999.9999999', type: 'sep24-withdraw' }).tier).toBe(1);
    expect(parseAmount('0.1')).toBe(1_000_000n);
    expect(() => parseAmount('1e3')).toThrow();
  });

  it('tier 2 requires the tier-1 fields plus documents', () => {
    expect(tierFields(1).required).toEqual(['first_name', 'last_name', 'email_address']);
    expect(tierFields(1).optional).toEqual(['mobile_number']);
    expect(tierFields(2).required).toEqual(
      expect.arrayContaining(['first_name', 'birth_date', 'photo_id_front', 'photo_proof_residence']),
    );
  });

  it('S12-09: status per tier from field statuses; REJECTED is final; an accepted tier is never asked again', () => {
    const c = (status: 'NEEDS_INFO' | 'PROCESSING' | 'ACCEPTED' | 'REJECTED', accepted_tier = 0) => ({
      id: 'c1',
      status,
      accepted_tier,
    });
    const tier1 = ['first_name', 'last_name', 'email_address'].map((name) => ({
      name,
      status: 'PROCESSING' as const,
    }));
    expect(computeTierStatus(undefined, [], 1)).toEqual({
      status: 'NEEDS_INFO',
      customerId: null,
      missingFields: ['first_name', 'last_name', 'email_address'],
    });
    expect(computeTierStatus(c('NEEDS_INFO'), tier1, 1).status).toBe('PROCESSING');
    expect(computeTierStatus(c('ACCEPTED', 1), tier1, 1).status).toBe('ACCEPTED');
    expect(computeTierStatus(c('ACCEPTED', 1), tier1, 2).status).toBe('NEEDS_INFO');
    expect(computeTierStatus(c('ACCEPTED', 2), [], 1).status).toBe('ACCEPTED');
    expect(computeTierStatus(c('REJECTED', 2), tier1, 1).status).toBe('REJECTED');
    const rejectedField = tier1.map((f) =>
      f.name === 'last_name' ? { ...f, status: 'REJECTED' as const } : f,
    );
    expect(computeTierStatus(c('PROCESSING'), rejectedField, 1)).toMatchObject({
      status: 'NEEDS_INFO',
      missingFields: ['last_name'],
    });
    const pendingCode = [...tier1, { name: 'mobile_number', status: 'VERIFICATION_REQUIRED' as const }];
    expect(computeTierStatus(c('PROCESSING'), pendingCode, 1).status).toBe('NEEDS_INFO');
  });
});

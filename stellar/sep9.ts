import { isIP } from 'node:net';
import countries from 'i18n-iso-countries';
import enCountries from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import esCountries from 'i18n-iso-countries/langs/es.json' with { type: 'json' };
import ptCountries from 'i18n-iso-countries/langs/pt.json' with { type: 'json' };

countries.registerLocale(enCountries);
countries.registerLocale(esCountries);
countries.registerLocale(ptCountries);

/**
 * The SEP-9 standard KYC fields (checklist S9-01..08): names, SEP-12 types, formats and validators. Pure: no
 * I/O, no messages. Validators return an error *code* that the HTTP and page layers translate (core/i18n).
 */
export type Sep9Type = 'string' | 'binary' | 'number' | 'date';
export type Sep9Format =
  | 'text'
  | 'email'
  | 'phone'
  | 'country3'
  | 'country2'
  | 'language'
  | 'date'
  | 'past_date'
  | 'future_date'
  | 'number'
  | 'occupation'
  | 'card_expiry'
  | 'ip'
  | 'url'
  | 'binary';

export interface Sep9Field {
  name: string;
  type: Sep9Type;
  format: Sep9Format;
  /** English description; pages and SEP-12 responses localize it through `sep9.field.<name>` when present. */
  description: string;
  choices?: readonly string[];
  maxLength?: number;
}

const f = (
  name: string,
  format: Sep9Format,
  description: string,
  extra: Partial<Pick<Sep9Field, 'choices' | 'maxLength'>> = {},
): Sep9Field => ({
  name,
  type:
    format === 'binary'
      ? 'binary'
      : format === 'number' || format === 'occupation'
        ? 'number'
        : format === 'date' || format === 'past_date' || format === 'future_date'
          ? 'date'
          : 'string',
  format,
  description,
  ...extra,
});

const NATURAL_PERSON: Sep9Field[] = [
  f('last_name', 'text', 'Family or last name'),
  f('first_name', 'text', 'Given or first name'),
  f('additional_name', 'text', 'Middle name or other additional name'),
  f('address_country_code', 'country3', 'Country code for current address (ISO 3166-1 alpha-3)'),
  f('state_or_province', 'text', 'Name of state/province/region/prefecture'),
  f('city', 'text', 'Name of city/town'),
  f('postal_code', 'text', 'Postal or other code identifying user’s locale', { maxLength: 20 }),
  f('address', 'text', 'Entire address (country, state, postal code, street address, etc.)', {
    maxLength: 500,
  }),
  f('mobile_number', 'phone', 'Mobile phone number with country code, in E.164 format'),
  f('mobile_number_format', 'text', 'Format of mobile_number (E.164 by default, or hash)', {
    choices: ['E.164', 'hash'],
  }),
  f('email_address', 'email', 'Email address'),
  f('birth_date', 'past_date', 'Date of birth, e.g. 1976-07-04'),
  f('birth_place', 'text', 'Place of birth (city, state, country; as on passport)'),
  f('birth_country_code', 'country3', 'ISO Code of country of birth (ISO 3166-1 alpha-3)'),
  f('tax_id', 'text', 'Tax identifier of user in their country (social security number in US)'),
  f('tax_id_name', 'text', 'Name of the tax ID (SSN or ITIN in the US)'),
  f('occupation', 'occupation', 'Occupation ISCO code'),
  f('employer_name', 'text', 'Name of employer'),
  f('employer_address', 'text', 'Address of employer'),
  f('language_code', 'language', 'Primary language (ISO 639-1)'),
  f('id_type', 'text', 'Type of identity document', { choices: ['passport', 'drivers_license', 'id_card'] }),
  f('id_country_code', 'country3', 'Country issuing passport or photo ID (ISO 3166-1 alpha-3)'),
  f('id_issue_date', 'past_date', 'ID issue date'),
  f('id_expiration_date', 'future_date', 'ID expiration date'),
  f('id_number', 'text', 'Passport or ID number', { maxLength: 64 }),
  f('photo_id_front', 'binary', 'Image of front of user’s photo ID or passport'),
  f('photo_id_back', 'binary', 'Image of back of user’s photo ID or passport'),
  f('notary_approval_of_photo_id', 'binary', 'Image of notary’s approval of photo ID or passport'),
  f('ip_address', 'ip', 'IP address of customer’s computer'),
  f(
    'photo_proof_residence',
    'binary',
    'Image of a utility bill, bank statement or similar with the user’s name and address',
  ),
  f('sex', 'text', 'Gender', { choices: ['male', 'female', 'other'] }),
  f('proof_of_income', 'binary', 'Image of user’s proof of income document'),
  f('proof_of_liveness', 'binary', 'Video or image file of user as a liveness proof'),
  f('referral_id', 'text', 'User’s origin (such as an id in another application) or a referral code'),
];

const FINANCIAL: Sep9Field[] = [
  f('bank_name', 'text', 'Name of the bank'),
  f('bank_account_type', 'text', 'Type of bank account', { choices: ['checking', 'savings'] }),
  f('bank_account_number', 'text', 'Number identifying bank account', { maxLength: 64 }),
  f('bank_number', 'text', 'Number identifying bank in national banking system (routing number in US)'),
  f('bank_phone_number', 'phone', 'Phone number with country code for bank'),
  f('bank_branch_number', 'text', 'Number identifying bank branch'),
  f('external_transfer_memo', 'text', 'A destination tag/memo used to identify a transaction'),
  f('clabe_number', 'text', 'Bank account number for Mexico'),
  f('cbu_number', 'text', 'Clave Bancaria Uniforme (CBU) or Clave Virtual Uniforme (CVU)'),
  f('cbu_alias', 'text', 'The alias for a CBU or CVU'),
  f(
    'mobile_money_number',
    'phone',
    'Mobile phone number in E.164 format with which a mobile money account is associated',
  ),
  f('mobile_money_provider', 'text', 'Name of the mobile money service provider'),
  f('crypto_address', 'text', 'Address for a cryptocurrency account'),
  f('crypto_memo', 'text', 'A destination tag/memo used to identify a transaction (deprecated)'),
];

const ORGANIZATION: Sep9Field[] = [
  f('organization.name', 'text', 'Full organization name as on the incorporation papers'),
  f('organization.VAT_number', 'text', 'Organization VAT number'),
  f('organization.registration_number', 'text', 'Organization registration number'),
  f('organization.registration_date', 'past_date', 'Date the organization was registered'),
  f('organization.registered_address', 'text', 'Organization registered address'),
  f('organization.number_of_shareholders', 'number', 'Organization shareholder number'),
  f('organization.shareholder_name', 'text', 'Name of an organization shareholder'),
  f('organization.photo_incorporation_doc', 'binary', 'Image of incorporation documents'),
  f(
    'organization.photo_proof_address',
    'binary',
    'Image of a utility bill, bank statement with the organization’s name and address',
  ),
  f('organization.address_country_code', 'country3', 'Country code for current address (ISO 3166-1 alpha-3)'),
  f('organization.state_or_province', 'text', 'Name of state/province/region/prefecture'),
  f('organization.city', 'text', 'Name of city/town'),
  f('organization.postal_code', 'text', 'Postal or other code identifying organization’s locale'),
  f('organization.director_name', 'text', 'Organization registered managing director'),
  f('organization.website', 'url', 'Organization website'),
  f('organization.email', 'email', 'Organization contact email'),
  f('organization.phone', 'phone', 'Organization contact phone'),
];

const CARD: Sep9Field[] = [
  f('card.number', 'text', 'Card number'),
  f('card.expiration_date', 'card_expiry', 'Expiration month and year in YY-MM format (e.g. 29-11)'),
  f('card.cvc', 'text', 'CVC number (digits on the back of the card)'),
  f('card.holder_name', 'text', 'Name of the card holder'),
  f('card.network', 'text', 'Brand of the card/network it operates within (e.g. Visa, Mastercard)'),
  f('card.postal_code', 'text', 'Billing address postal code'),
  f('card.country_code', 'country2', 'Billing address country code in ISO 3166-1 alpha-2 code (e.g. US)'),
  f('card.state_or_province', 'text', 'Name of state/province/region/prefecture in ISO 3166-2 format'),
  f('card.city', 'text', 'Name of city/town'),
  f('card.address', 'text', 'Entire address (country, state, postal code, street address, etc.)'),
  f('card.token', 'text', 'Token representation of the card in some external payment system'),
];

/** Every SEP-9 field by its canonical name. */
export const SEP9_FIELDS: ReadonlyMap<string, Sep9Field> = new Map(
  [...NATURAL_PERSON, ...FINANCIAL, ...ORGANIZATION, ...CARD].map((x) => [x.name, x]),
);

/** S9-07: the alias pairs are one field; we store and report the canonical (requested) name. */
export const SEP9_ALIASES: Readonly<Record<string, string>> = {
  family_name: 'last_name',
  given_name: 'first_name',
};

/** The canonical SEP-9 name for a wire name, or undefined when it is not a SEP-9 field. */
export function canonicalSep9Name(name: string): string | undefined {
  const canonical = SEP9_ALIASES[name] ?? name;
  return SEP9_FIELDS.has(canonical) ? canonical : undefined;
}

export function sep9Field(name: string): Sep9Field | undefined {
  const canonical = canonicalSep9Name(name);
  return canonical ? SEP9_FIELDS.get(canonical) : undefined;
}

/** Fields that can be confirmed with a code sent to them (SEP-12 `<field>_verification`, S12-16). */
export const VERIFIABLE_FIELDS = ['mobile_number', 'email_address'] as const;

export type Sep9ErrorCode =
  | 'required'
  | 'email'
  | 'date'
  | 'date_future'
  | 'date_past'
  | 'country_alpha3'
  | 'country_alpha2'
  | 'phone'
  | 'language'
  | 'number'
  | 'occupation'
  | 'choice'
  | 'too_long'
  | 'card_expiry'
  | 'ip'
  | 'url'
  | 'binary_as_text';

export interface Sep9Issue {
  field: string;
  code: Sep9ErrorCode;
  params?: Record<string, string | number>;
}

const DEFAULT_MAX_LENGTH = 200;
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/** A real calendar date written `YYYY-MM-DD` (X-14, S9-02). */
export function isIsoDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export function isAlpha3Country(value: string): boolean {
  return /^[A-Z]{3}$/.test(value) && countries.isValid(value);
}

export function isAlpha2Country(value: string): boolean {
  return /^[A-Z]{2}$/.test(value) && countries.isValid(value);
}

export function isE164(value: string): boolean {
  return E164.test(value);
}

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

export interface ValidateOptions {
  /** Today as `YYYY-MM-DD` (tests pin it); default the current UTC date. */
  today?: string;
  /** `mobile_number_format` sent with the request: `hash` lifts the E.164 rule (S9-03). */
  mobileNumberFormat?: string;
}

/**
 * Checks one text value against its SEP-9 format. Returns undefined when it is fine. `value` is already
 * trimmed by the caller; binary fields are checked elsewhere (type and size of the upload).
 */
export function validateSep9Value(
  name: string,
  value: string,
  opts: ValidateOptions = {},
): Sep9Issue | undefined {
  const field = sep9Field(name);
  if (!field) return undefined;
  const issue = (code: Sep9ErrorCode, params?: Record<string, string | number>): Sep9Issue => ({
    field: field.name,
    code,
    ...(params ? { params } : {}),
  });
  if (value === '') return issue('required');
  if (value.length > (field.maxLength ?? DEFAULT_MAX_LENGTH)) {
    return issue('too_long', { max: field.maxLength ?? DEFAULT_MAX_LENGTH });
  }
  if (field.choices && !field.choices.includes(value))
    return issue('choice', { choices: field.choices.join(', ') });
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  switch (field.format) {
    case 'binary':
      return issue('binary_as_text');
    case 'email':
      return isEmail(value) ? undefined : issue('email');
    case 'phone':
      if (field.name === 'mobile_number' && opts.mobileNumberFormat === 'hash') return undefined;
      return isE164(value) ? undefined : issue('phone');
    case 'country3':
      return isAlpha3Country(value) ? undefined : issue('country_alpha3');
    case 'country2':
      return isAlpha2Country(value) ? undefined : issue('country_alpha2');
    case 'language':
      return /^[a-z]{2}$/.test(value) ? undefined : issue('language');
    case 'date':
      return isIsoDate(value) ? undefined : issue('date');
    case 'past_date':
      if (!isIsoDate(value)) return issue('date');
      return value > today ? issue('date_future') : undefined;
    case 'future_date':
      if (!isIsoDate(value)) return issue('date');
      return value < today ? issue('date_past') : undefined;
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(value) ? undefined : issue('number');
    case 'occupation':
      return /^\d{1,4}$/.test(value) ? undefined : issue('occupation');
    case 'card_expiry':
      return /^\d{2}-(0[1-9]|1[0-2])$/.test(value) ? undefined : issue('card_expiry');
    case 'ip':
      return isIP(value) ? undefined : issue('ip');
    case 'url':
      try {
        const u = new URL(value);
        return u.protocol === 'https:' || u.protocol === 'http:' ? undefined : issue('url');
      } catch {
        return issue('url');
      }
    case 'text':
      return undefined;
  }
}

/** The SEP-12 `fields` entry type for a SEP-9 field (S9-08). */
export function sep12Type(name: string): Sep9Type {
  return sep9Field(name)?.type ?? 'string';
}

/** Alpha-3 country codes with names in a language ('en' or 'es'), sorted by name, for select boxes. */
export function countryOptions(lang: 'en' | 'es' | 'pt-BR'): { code: string; name: string }[] {
  const names = countries.getNames(lang === 'pt-BR' ? 'pt' : lang, { select: 'official' });
  return Object.entries(names)
    .map(([alpha2, name]) => ({ code: countries.alpha2ToAlpha3(alpha2) ?? '', name }))
    .filter((c) => c.code !== '')
    .sort((a, b) => a.name.localeCompare(b.name, lang));
}

/**
 * The anchor's KYC tiers (issue 6): which SEP-9 fields each tier needs. Tier 1 is asked for every amount up
 * to KYC_TIER1_MAX_AMOUNT, tier 2 above it; a higher tier includes the lower ones.
 */
export const KYC_TIERS = [1, 2] as const;
export type KycTier = (typeof KYC_TIERS)[number];

export interface TierFields {
  required: readonly string[];
  optional: readonly string[];
}

const TIER1: TierFields = {
  required: ['first_name', 'last_name', 'email_address'],
  optional: ['mobile_number'],
};
const TIER2: TierFields = {
  required: [
    ...TIER1.required,
    'birth_date',
    'address',
    'address_country_code',
    'id_type',
    'id_number',
    'photo_id_front',
    'photo_proof_residence',
  ],
  optional: TIER1.optional,
};

export function tierFields(tier: number): TierFields {
  return tier >= 2 ? TIER2 : TIER1;
}

export function clampTier(tier: number): KycTier {
  return tier >= 2 ? 2 : 1;
}

import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured logs. Anything that could carry a secret or personal data is redacted by path, so a careless
 * `log.info({ body })` still cannot leak a seed, a token or KYC fields.
 */
export const REDACT_PATHS = [
  '*.secret',
  '*.seed',
  '*.password',
  '*.token',
  '*.jwt',
  '*.authorization',
  '*.Authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.SIGNING_SECRET',
  '*.DISTRIBUTION_SECRET',
  '*.ISSUER_SECRET',
  '*.JWT_SECRET',
  '*.signingSecret',
  '*.distributionSecret',
  '*.issuerSecret',
  '*.jwtSecret',
  '*.first_name',
  '*.last_name',
  '*.given_name',
  '*.family_name',
  '*.email_address',
  '*.mobile_number',
  '*.birth_date',
  '*.id_number',
  '*.tax_id',
  '*.address',
  '*.bank_account_number',
  '*.fields',
];

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

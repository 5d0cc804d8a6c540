// Prints a .env.example from the config schema: every key, its description, its default (commented out).
// `npm run env:example > .env.example` after adding keys; test/unit/env-example.test.ts checks none is missing.
import { envSchema, SECRET_KEYS } from '../config/schema.js';

const lines = [
  '# Every setting of the anchor. Copy to .env (git-ignored) and uncomment what you change.',
  '# The sandbox profile needs none of them; testnet and mainnet need the secrets marked (secret).',
  '',
];
for (const [key, schema] of Object.entries(envSchema.shape)) {
  const s = schema as unknown as { description?: string; def?: { defaultValue?: unknown } };
  let def: unknown;
  try {
    def = (schema as unknown as { parse: (v: unknown) => unknown }).parse(undefined);
  } catch {
    def = undefined;
  }
  lines.push(`# ${s.description ?? key}${SECRET_KEYS.has(key) ? '' : ''}`);
  lines.push(`# ${key}=${def === undefined ? '' : String(def)}`);
  lines.push('');
}
process.stdout.write(lines.join('\n'));

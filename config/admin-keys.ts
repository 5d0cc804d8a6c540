import { createHash, randomBytes } from 'node:crypto';

/**
 * Admin API keys from ADMIN_API_KEYS. Only SHA-256 hashes are configured: the raw keys stay with the operators
 * (generate one with `openssl rand -hex 32`, hash it with `printf %s "$KEY" | sha256sum`).
 */
export const ADMIN_SCOPES = [
  'transactions:read',
  'transactions:write',
  'kyc:read',
  'topups:read',
  'topups:write',
  'bank:write',
  'ops:read',
  'ops:write',
] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];

export interface AdminKey {
  /** Who holds the key: recorded as the actor of every admin action. */
  name: string;
  scopes: ReadonlySet<AdminScope>;
  /** Lower-case hex SHA-256 of the raw key. */
  sha256: string;
}

/** Parses `name:scope,scope:hash` entries separated by `;`/newlines, or a JSON array of such strings. */
export function parseAdminKeys(raw: string | undefined): { keys: AdminKey[]; errors: string[] } {
  const keys: AdminKey[] = [];
  const errors: string[] = [];
  if (!raw || raw.trim() === '') return { keys, errors };
  let entries: string[];
  const trimmed = raw.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (!Array.isArray(parsed) || parsed.some((e) => typeof e !== 'string')) {
        return { keys, errors: ['must be a JSON array of "name:scopes:sha256" strings'] };
      }
      entries = parsed as string[];
    } catch {
      return { keys, errors: ['is not valid JSON'] };
    }
  } else {
    entries = trimmed.split(/[;\n]+/);
  }
  const names = new Set<string>();
  for (const [i, entry] of entries
    .map((e) => e.trim())
    .filter(Boolean)
    .entries()) {
    // Scopes contain ':' themselves (transactions:read): the name ends at the first ':', the hash after the last.
    const first = entry.indexOf(':');
    const last = entry.lastIndexOf(':');
    if (first < 0 || last <= first) {
      errors.push(`entry ${i + 1}: expected name:scope1,scope2:sha256hex`);
      continue;
    }
    const name = entry.slice(0, first);
    const scopeList = entry.slice(first + 1, last);
    const hash = entry.slice(last + 1);
    if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) errors.push(`entry ${i + 1}: bad name`);
    if (names.has(name)) errors.push(`entry ${i + 1}: duplicate name ${name}`);
    names.add(name);
    if (!/^[0-9a-fA-F]{64}$/.test(hash))
      errors.push(`entry ${i + 1} (${name}): hash must be 64 hex characters`);
    const scopes = new Set<AdminScope>();
    for (const s of scopeList.split(',').map((x) => x.trim())) {
      if (s === '*') for (const x of ADMIN_SCOPES) scopes.add(x);
      else if ((ADMIN_SCOPES as readonly string[]).includes(s)) scopes.add(s as AdminScope);
      else errors.push(`entry ${i + 1} (${name}): unknown scope "${s}"`);
    }
    keys.push({ name, scopes, sha256: hash.toLowerCase() });
  }
  return { keys, errors };
}

/** A fresh admin key and its ADMIN_API_KEYS entry (`npm run admin:key -- <name> <scope,scope>`). */
export function newAdminKey(name: string, scopes: string): { key: string; entry: string } {
  const key = `adm_${randomBytes(32).toString('hex')}`;
  const entry = `${name}:${scopes}:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
  const { errors } = parseAdminKeys(entry);
  if (errors.length > 0) throw new Error(errors.join('; '));
  return { key, entry };
}

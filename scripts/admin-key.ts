// `npm run admin:key -- <name> <scope1,scope2|*>`: prints a new admin API key (give it to the operator, once) and the
// ADMIN_API_KEYS entry holding only its hash.
import { ADMIN_SCOPES, newAdminKey } from '../config/admin-keys.js';

const [name, scopes] = process.argv.slice(2);
if (!name || !scopes) {
  console.error(`usage: npm run admin:key -- <name> <scope1,scope2|*>\nscopes: ${ADMIN_SCOPES.join(' ')}`);
  process.exit(2);
}
try {
  const { key, entry } = newAdminKey(name, scopes);
  console.log(`key (hand to ${name}; shown once, never stored):\n  ${key}\n`);
  console.log(`append to ADMIN_API_KEYS (entries separated by ";"):\n  ${entry}`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}

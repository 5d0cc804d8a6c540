// `npm run bank:send -- --reference ABC --amount 100.00 [--from IBAN] [--name NAME] [--to ACCOUNT] [--user-id ID]`
// A customer sends a transfer to the anchor at the sandbox bank (BANK_API_URL, authenticated with BANK_API_KEY).
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config/index.js';
import { loadDotEnv } from '../config/load-env.js';

loadDotEnv();
const config = loadConfigOrExit();
const { values } = parseArgs({
  options: {
    reference: { type: 'string', short: 'r' },
    amount: { type: 'string', short: 'a' },
    currency: { type: 'string', default: 'USD' },
    from: { type: 'string', default: 'DE89370400440532013000' },
    name: { type: 'string', default: 'Test Customer' },
    to: { type: 'string' },
    'user-id': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help || !values.amount) {
  process.stderr.write(
    'usage: npm run bank:send -- --amount 100.00 [--reference CODE] [--from IBAN] [--name NAME] [--to ACCOUNT] [--user-id ID] [--currency USD]\n',
  );
  process.exit(values.help ? 0 : 64);
}
const res = await fetch(`${config.bank.apiUrl}/api/transfers`, {
  method: 'POST',
  headers: { Authorization: `Bearer ${config.bank.apiKey}`, 'Content-Type': 'application/json' },
  body: JSON.stringify({
    reference: values.reference ?? '',
    amount: values.amount,
    currency: values.currency,
    from_account: values.from,
    from_name: values.name,
    ...(values.to ? { to_account: values.to } : {}),
    ...(values['user-id'] ? { user_id: values['user-id'] } : {}),
  }),
}).catch((err: Error) => {
  process.stderr.write(
    `cannot reach the bank at ${config.bank.apiUrl}: ${err.message} (is \`npm start\` running?)\n`,
  );
  process.exit(69);
});
const body = (await res.json().catch(() => ({}))) as { id?: string; error?: string };
if (!res.ok) {
  process.stderr.write(`the bank refused the transfer: HTTP ${res.status} ${body.error ?? ''}\n`);
  process.exit(1);
}
process.stdout.write(
  `sent ${values.amount} ${values.currency} with reference "${values.reference ?? ''}": transfer ${body.id}\n`,
);

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every item of the operator guide's "Testing Edge Cases" list is exactly one automated test in this folder,
 * named `guide: <the guide's words>` (a checklist id in parentheses may follow). Renaming, dropping or
 * duplicating one fails here.
 */
const GUIDE_ITEMS = [
  // General Tests
  'Check to make sure the interactive interface follows our UX Guidelines',
  'Test the interactive flow usability on really small and really large screens',
  'Check that the issuing account is set up with the correct home domain, and that the website on that home domain has branding visuals, content about your company, clear language telling users how to report problems, and a method for contacting you to seek support',
  'Test the interface using different locale information, and check for translated content including error messages, responses, date formatting, and number formatting',
  // KYC Tests
  'Check that KYC appears with a new wallet SK',
  'Check that KYC (and email, if it’s being used to identify users) is not appearing when using a previous wallet SK',
  'Check that KYC doesn’t accept incorrectly formatted inputs, and that the error messages are comprehensible',
  'Check that you can use the same KYC information (email, phone number, username, etc) multiple times',
  'Check that you can go through KYC multiple times with the same Stellar SK',
  // Deposit Test
  'Check that deposits are disabled for really small and really large values',
  'Check that the deposit flow goes through, and that the banking rails are working',
  'Check that the endpoint returns an error if the JWT token is missing', // deposit
  'Check that all deposit response params conform to protocols',
  // Withdraw Tests
  'Check that withdrawals are disabled for really small and really large values',
  'Check that you cannot make a withdrawal with a value higher than the current balance',
  'Check that the withdraw flow goes through, and that the banking rails are working',
  'Check that the endpoint returns an error if the JWT token is missing', // withdraw
  'Check that all withdraw params conform to protocols',
  // Transaction(s) Tests
  'Check that the /transaction endpoint is working for a newly created transaction',
  'Check that the /transaction endpoint is working for a completed transaction',
  'Check that the /transactions endpoint returns all transactions from a specific user',
  // Security Tests
  'Ensure distribution is done through a dedicated distribution account (not the issuing account)',
  'Ensure market making is done through a dedicated account (not the issuing account)',
  'Make sure all authenticated endpoints are not accessible without the JWT tokens',
];

describe('guide: every "Testing Edge Cases" item is an automated test', () => {
  it('24 items, each exactly one it("guide: …") quoting the guide', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const names: string[] = [];
    for (const file of readdirSync(here).filter((f) => f.endsWith('.test.ts') && f !== 'coverage.test.ts')) {
      const source = readFileSync(join(here, file), 'utf8');
      for (const m of source.matchAll(/\bit\(\s*(['"`])guide: ((?:(?!\1).)*)\1/g)) names.push(m[2]!);
    }
    expect(GUIDE_ITEMS).toHaveLength(24);
    const quoted = (item: string) => names.filter((n) => n === item || n.startsWith(`${item} (`));
    const counts = GUIDE_ITEMS.map((item) => [item, quoted(item).length] as const);
    // The JWT item appears twice in the guide (deposit and withdraw): two tests, one per section.
    const expected = GUIDE_ITEMS.map((item) => [item, GUIDE_ITEMS.filter((i) => i === item).length] as const);
    expect(counts).toEqual(expected);
    // No stray guide test that quotes nothing in the list.
    expect(names.filter((n) => !GUIDE_ITEMS.some((item) => n === item || n.startsWith(`${item} (`)))).toEqual(
      [],
    );
    expect(names).toHaveLength(24);
  });
});

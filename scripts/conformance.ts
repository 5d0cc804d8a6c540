// Regenerates the "Tests" column of docs/conformance.md from the checklist ids cited under test/.
// Usage: npm run conformance            (rewrite the doc)
//        npm run conformance -- --check (exit 1 if the doc is out of date)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DOC_PATH = join(ROOT, 'docs', 'conformance.md');
export const TEST_DIR = join(ROOT, 'test');

const PREFIXES = 'X|S1|S10|S12|S9|S24|S6|S38|A';
/** A checklist id as it appears in test names and comments. */
export const ID_PATTERN = new RegExp(`\\b(?:${PREFIXES})-\\d{2}\\b`, 'g');
const ROW_ID = new RegExp(`^(?:${PREFIXES})-\\d{2}$`);
export const NONE = '—';

/** Every `.ts` file under `dir`, as repo-relative paths with `/` separators, sorted. */
export function testFiles(dir: string = TEST_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) out.push(relative(ROOT, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** id → sorted test files that mention it. */
export function citations(files: string[] = testFiles()): Map<string, string[]> {
  const byId = new Map<string, string[]>();
  for (const file of files) {
    const ids = new Set(readFileSync(join(ROOT, file), 'utf8').match(ID_PATTERN) ?? []);
    for (const id of ids) byId.set(id, [...(byId.get(id) ?? []), file]);
  }
  return byId;
}

export interface DocRow {
  id: string;
  line: number;
  tests: string[];
}

function cells(line: string): string[] | undefined {
  const t = line.trim();
  if (!t.startsWith('|') || !t.endsWith('|')) return undefined;
  return t
    .slice(1, -1)
    .split('|')
    .map((c) => c.trim());
}

/** The id rows of the doc's tables, with the test files listed in their last column. */
export function docRows(markdown: string): DocRow[] {
  const rows: DocRow[] = [];
  markdown.split('\n').forEach((line, i) => {
    const c = cells(line);
    if (!c || !ROW_ID.test(c[0] ?? '')) return;
    const last = c[c.length - 1] ?? '';
    const tests = last === NONE ? [] : [...last.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    rows.push({ id: c[0] as string, line: i + 1, tests });
  });
  return rows;
}

/** The doc with every id row's last column replaced by the files citing that id. */
export function regenerate(markdown: string, byId: Map<string, string[]>): string {
  return markdown
    .split('\n')
    .map((line) => {
      const c = cells(line);
      if (!c || !ROW_ID.test(c[0] ?? '')) return line;
      const files = byId.get(c[0] as string) ?? [];
      c[c.length - 1] = files.length ? files.map((f) => `\`${f}\``).join(', ') : NONE;
      return `| ${c.join(' | ')} |`;
    })
    .join('\n');
}

function main(): void {
  const before = readFileSync(DOC_PATH, 'utf8');
  const byId = citations();
  const after = regenerate(before, byId);
  const listed = new Set(docRows(after).map((r) => r.id));
  const missing = [...byId.keys()].filter((id) => !listed.has(id)).sort();
  if (missing.length)
    console.error(`ids cited in test/ but without a row in docs/conformance.md: ${missing.join(', ')}`);
  if (process.argv.includes('--check')) {
    if (after !== before) console.error('docs/conformance.md is stale: run `npm run conformance`');
    process.exit(after !== before || missing.length ? 1 : 0);
  }
  if (after !== before) writeFileSync(DOC_PATH, after);
  console.log(`docs/conformance.md: ${listed.size} ids, ${byId.size} cited by tests`);
  if (missing.length) process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();

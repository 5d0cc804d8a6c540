import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { citations, DOC_PATH, docRows, ID_PATTERN, ROOT, regenerate } from '../../scripts/conformance.js';

// Keeps docs/conformance.md from going stale: every checklist id a test cites must have a row there,
// and every test file a row lists must exist and still cite that id. Regenerate with `npm run conformance`.
const doc = readFileSync(DOC_PATH, 'utf8');
const rows = docRows(doc);
const cited = citations();

describe('docs/conformance.md', () => {
  it('has exactly one row per id', () => {
    const ids = rows.map((r) => r.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('has a row for every id cited anywhere under test/', () => {
    const listed = new Set(rows.map((r) => r.id));
    expect(cited.size).toBeGreaterThan(0);
    expect([...cited.keys()].filter((id) => !listed.has(id)).sort()).toEqual([]);
  });

  it('lists only test files that exist and cite the id of their row', () => {
    const wrong: string[] = [];
    for (const row of rows) {
      for (const file of row.tests) {
        const path = join(ROOT, file);
        const ids: string[] = existsSync(path) ? (readFileSync(path, 'utf8').match(ID_PATTERN) ?? []) : [];
        if (!ids.includes(row.id)) wrong.push(`${row.id} → ${file} (line ${row.line})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('regenerates the Tests column from the citations and leaves the other columns alone', () => {
    const [first] = [...cited.keys()];
    const line = doc.split('\n').find((l) => l.startsWith(`| ${first} |`))!;
    const emptied = line.replace(/\|[^|]*\|$/, '| — |');
    const redone = regenerate(emptied, cited);
    expect(redone.split(' | ').slice(0, 4)).toEqual(line.split(' | ').slice(0, 4));
    expect(docRows(redone)[0]?.tests).toEqual(cited.get(first!));
  });
});

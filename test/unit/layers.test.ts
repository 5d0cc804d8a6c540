import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeViolation, layerViolations } from '../../scripts/check-layers.js';

/**
 * The layer rules of .dependency-cruiser.cjs (run by `npm run lint`) bite: a scratch tree with the repository's
 * rules and tsconfig gets deliberately wrong imports, and each one is reported under its rule; allowed imports
 * (type-only cycles, activity types in workflows, signal definitions) are not. The real tree breaks none.
 */
describe('layer rules (dependency-cruiser)', () => {
  let dir: string;
  const file = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'layers-'));
    copyFileSync('.dependency-cruiser.cjs', join(dir, '.dependency-cruiser.cjs'));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true },
        include: ['**/*.ts'],
      }),
    );
    file('api/app.ts', 'export const app = 1;\n');
    file('stellar/money.ts', 'export const one = 1n;\n');
    // Wrong: db/ importing api/ (upward).
    file('db/bad.ts', "import { app } from '../api/app.js';\nexport const x = app;\n");
    // Wrong: a two-file cycle of value imports.
    file('core/a.ts', "import { b } from './b.js';\nexport const a = () => b;\n");
    file('core/b.ts', "import { a } from './a.js';\nexport const b = () => a;\n");
    // Allowed: a cycle closed by a type-only import (erased at run time).
    file('core/c.ts', "import { d } from './d.js';\nexport type C = { n: number };\nexport const c = d;\n");
    file('core/d.ts', "import type { C } from './c.js';\nexport const d: C = { n: 1 };\n");
    // Wrong: the sandbox using the API; api using the sandbox; shipped code using test helpers.
    file('sandbox/bank.ts', "import { app } from '../api/app.js';\nexport const y = app;\n");
    file('api/page.ts', "import { bank } from '../sandbox/store.js';\nexport const z = bank;\n");
    file('sandbox/store.ts', 'export const bank = 1;\n');
    file('test/helpers/h.ts', 'export const h = 1;\n');
    file('api/uses-test.ts', "import { h } from '../test/helpers/h.js';\nexport const w = h;\n");
    // Workflows: activity TYPES and signal definitions are fine; an activity implementation or node:fs is not.
    file('activities/pay.ts', "export function createPay() { return { pay: async () => 'ok' }; }\n");
    file('workflows/messages.ts', 'export const paidSignal = "paid";\n');
    file(
      'workflows/ok.ts',
      "import type { createPay } from '../activities/pay.js';\nimport { one } from '../stellar/money.js';\nexport type A = ReturnType<typeof createPay>;\nexport const n = one;\n",
    );
    file(
      'workflows/bad-impl.ts',
      "import { createPay } from '../activities/pay.js';\nexport const p = createPay;\n",
    );
    file('workflows/bad-io.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n");
    file(
      'activities/signals.ts',
      "import { paidSignal } from '../workflows/messages.js';\nexport const s = paidSignal;\n",
    );
    file('activities/bad.ts', "import { n } from '../workflows/ok.js';\nexport const q = n;\n");
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports each deliberately wrong import under its rule (a cycle once), and nothing else', async () => {
    const found = (await layerViolations(dir)).map(describeViolation).sort();
    expect(found).toEqual(
      [
        'activities-below-top: activities/bad.ts → workflows/ok.ts',
        'api-not-sandbox-or-activities: api/page.ts → sandbox/store.ts',
        'db-below-core: db/bad.ts → api/app.ts',
        'no-circular: core/a.ts → core/b.ts (cycle: core/b.ts → core/a.ts)',
        'not-to-test: api/uses-test.ts → test/helpers/h.ts',
        'sandbox-is-the-outside-world: sandbox/bank.ts → api/app.ts',
        'workflows-deterministic: workflows/bad-impl.ts → activities/pay.ts',
        'workflows-no-io: workflows/bad-io.ts → fs',
      ].sort(),
    );
  }, 120_000);

  it('the repository itself has no cycle and no upward import', async () => {
    const found = (await layerViolations()).map(describeViolation);
    expect(found).toEqual([]);
  }, 180_000);
});

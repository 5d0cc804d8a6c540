// `npm run lint`'s dependency rules: runs dependency-cruiser's API over the tree with .dependency-cruiser.cjs and
// prints each broken rule (the CLI refuses Node 20, which this project supports; the API runs on it).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cruise, type ICruiseOptions, type IViolation } from 'dependency-cruiser';

export const LAYER_FOLDERS = [
  'stellar',
  'config',
  'db',
  'core',
  'workflows',
  'activities',
  'api',
  'worker',
  'sandbox',
  'scripts',
  'test',
];

/** The rule violations of the tree under `cwd` (default: this repository). */
export async function layerViolations(cwd = process.cwd(), folders = LAYER_FOLDERS): Promise<IViolation[]> {
  const require = createRequire(import.meta.url);
  const configPath = resolve(cwd, '.dependency-cruiser.cjs');
  delete require.cache[configPath];
  const { forbidden, options } = require(configPath) as {
    forbidden: NonNullable<ICruiseOptions['ruleSet']>['forbidden'];
    options: ICruiseOptions;
  };
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const result = await cruise(
      folders.filter((f) => existsSync(resolve(cwd, f))),
      { ...options, validate: true, ruleSet: { forbidden }, baseDir: cwd },
      undefined,
      { tsConfig: options.tsConfig?.fileName ? readTsConfig(cwd, options.tsConfig.fileName) : undefined },
    );
    if (typeof result.output === 'string')
      throw new Error('unexpected string output from dependency-cruiser');
    return result.output.summary.violations.filter((v) => v.rule.severity === 'error');
  } finally {
    process.chdir(previous);
  }
}

function readTsConfig(cwd: string, fileName: string) {
  const require = createRequire(import.meta.url);
  const ts = require('typescript') as typeof import('typescript');
  const path = resolve(cwd, fileName);
  const file = ts.readConfigFile(path, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(file.config, ts.sys, cwd, {}, path);
}

export function describeViolation(v: IViolation): string {
  const via = v.cycle?.length ? ` (cycle: ${v.cycle.map((c) => c.name).join(' → ')})` : '';
  return `${v.rule.name}: ${v.from} → ${v.to}${via}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const violations = await layerViolations();
  for (const v of violations) console.error(`✗ ${describeViolation(v)}`);
  if (violations.length > 0) {
    console.error(
      `\n${violations.length} import(s) break the layer rules (.dependency-cruiser.cjs, CONTRIBUTING.md)`,
    );
    process.exit(1);
  }
  console.log('✓ layers: no cycles, no upward imports');
}

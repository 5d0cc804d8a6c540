import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/** The README's two commands on a fresh machine (#12): npm start / npm test install what is missing first. */
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };

function bash(args: string[], env: Record<string, string> = {}, cwd = process.cwd()) {
  const started = performance.now();
  const r = spawnSync('bash', args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, out: `${r.stdout}${r.stderr}`, ms: performance.now() - started };
}

describe('npm scripts', () => {
  it('npm start and npm test run the bootstrap before anything needs node_modules', () => {
    expect(pkg.scripts.prestart).toBe('bash scripts/bootstrap.sh start');
    expect(pkg.scripts.pretest).toBe('bash scripts/bootstrap.sh test');
  });

  it('npm test runs lint, then the typecheck, then vitest', () => {
    expect(pkg.scripts.test).toBe('npm run lint && tsc --noEmit && vitest run');
  });

  it('npm run setup still installs everything', () => {
    expect(pkg.scripts.setup).toBe('bash scripts/setup.sh');
  });
});

describe('.ci/run', () => {
  const lines = readFileSync('.ci/run', 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));

  it('runs the README test command and no separate setup or lint call', () => {
    expect(lines).toContain('npm test');
    expect(lines.join('\n')).not.toMatch(/setup|bootstrap|npm run lint/);
  });

  it('is the README test command', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme.split('\n').slice(0, 4).join('\n')).toMatch(/^npm test\b/m);
  });
});

describe('scripts/bootstrap.sh', () => {
  it('exits 0 in under 2 s and prints nothing when everything is installed', () => {
    // pretest has just run it, so everything is installed here.
    for (const purpose of ['start', 'test']) {
      const r = bash(['scripts/bootstrap.sh', purpose]);
      expect(r.status, r.out).toBe(0);
      expect(r.out).toBe('');
      expect(r.ms).toBeLessThan(2000);
    }
  });

  it('names what is missing and the setup steps that install it; start does not need the test tools', () => {
    const empty = mkdtempSync(join(tmpdir(), 'bootstrap-empty-'));
    try {
      const env = { ANCHOR_CACHE: join(empty, 'cache'), ANCHOR_HOME: join(empty, 'home') };
      const test = bash(['scripts/bootstrap.sh', 'test', '--check'], env);
      expect(test.status).toBe(1);
      expect(test.out).toContain('setup steps: temporal test-server postgres');
      const start = bash(['scripts/bootstrap.sh', 'start', '--check'], env);
      expect(start.status).toBe(1);
      expect(start.out).toContain('setup steps: temporal postgres)');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses an unknown purpose, and setup.sh an unknown step', () => {
    expect(bash(['scripts/bootstrap.sh', 'deploy']).status).toBe(2);
    const r = bash(['scripts/setup.sh', 'everything']);
    expect(r.status).toBe(2);
    expect(r.out).toContain("unknown setup step 'everything'");
  });
});

describe('anchor_deps_current (scripts/env.sh)', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A project whose node_modules has the real install stamp and the four tools, without the packages. */
  function project(): string {
    dir = mkdtempSync(join(tmpdir(), 'bootstrap-deps-'));
    mkdirSync(join(dir, 'scripts'));
    mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
    copyFileSync('scripts/env.sh', join(dir, 'scripts/env.sh'));
    copyFileSync('package.json', join(dir, 'package.json'));
    copyFileSync('package-lock.json', join(dir, 'package-lock.json'));
    copyFileSync('node_modules/.package-lock.json', join(dir, 'node_modules/.package-lock.json'));
    for (const bin of ['tsx', 'tsc', 'vitest', 'biome']) {
      writeFileSync(join(dir, 'node_modules/.bin', bin), '', { mode: 0o755 });
    }
    return dir;
  }
  const depsCurrent = (cwd: string) =>
    bash(['-c', 'source scripts/env.sh && anchor_deps_current'], {}, cwd).status;
  /** As after a checkout: the install stamp is now older than package.json and package-lock.json. */
  const stampOlder = () => {
    const earlier = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'node_modules/.package-lock.json'), earlier, earlier);
  };

  it('is current when the install stamp is newer than the lockfile', () => {
    expect(depsCurrent(project())).toBe(0);
  });

  it('a lockfile touched by a checkout but unchanged is still current, and the stamp is refreshed', () => {
    const cwd = project();
    stampOlder();
    expect(depsCurrent(cwd)).toBe(0);
    const stamp = statSync(join(cwd, 'node_modules/.package-lock.json')).mtimeMs;
    expect(stamp).toBeGreaterThanOrEqual(statSync(join(cwd, 'package-lock.json')).mtimeMs);
  });

  it('is not current when a locked package version differs from the installed one', () => {
    const cwd = project();
    const lock = JSON.parse(readFileSync(join(cwd, 'package-lock.json'), 'utf8'));
    lock.packages['node_modules/zod'].version = '0.0.1';
    writeFileSync(join(cwd, 'package-lock.json'), JSON.stringify(lock));
    stampOlder();
    expect(depsCurrent(cwd)).toBe(1);
  });

  it('is not current when package.json adds a dependency the lockfile lacks', () => {
    const cwd = project();
    const manifest = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
    manifest.dependencies['left-pad'] = '^1.3.0';
    writeFileSync(join(cwd, 'package.json'), JSON.stringify(manifest));
    stampOlder();
    expect(depsCurrent(cwd)).toBe(1);
  });

  it('is not current without node_modules or when a tool is missing (the `tsx: not found` of a fresh clone)', () => {
    const cwd = project();
    rmSync(join(cwd, 'node_modules/.bin/tsx'));
    expect(depsCurrent(cwd)).toBe(1);
    rmSync(join(cwd, 'node_modules'), { recursive: true });
    expect(depsCurrent(cwd)).toBe(1);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envSchema } from '../../config/schema.js';

const schemaKeys = new Set(Object.keys(envSchema.shape));

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as {
    services: Record<string, { environment?: Record<string, string>; command?: string[]; build?: string }>;
  };

  it('has every service the anchor needs', () => {
    for (const svc of ['postgres', 'temporal', 'temporal-ui', 'api', 'worker', 'migrate']) {
      expect(compose.services, svc).toHaveProperty(svc);
    }
  });

  it('runs two API and two worker replicas (horizontal scale)', () => {
    const apis = Object.entries(compose.services).filter(([, s]) => s.command?.includes('dist/api/main.js'));
    expect(apis.length).toBeGreaterThanOrEqual(2);
    const worker = compose.services.worker as { deploy?: { replicas?: number } };
    expect(worker.deploy?.replicas).toBe(2);
  });

  it('sets only environment variables the config schema knows', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      if (!svc.build) continue; // our own image: its env must be ours
      for (const key of Object.keys(svc.environment ?? {})) {
        expect(schemaKeys.has(key), `${name}: ${key} is not a config key`).toBe(true);
      }
    }
  });

  it('runs node on the build, never tsx, and only entries the build emits (#16)', () => {
    const built = readFileSync('tsconfig.build.json', 'utf8');
    for (const [name, svc] of Object.entries(compose.services)) {
      if (!svc.build) continue;
      const [cmd, entry] = svc.command ?? [];
      expect(cmd, name).toBe('node');
      expect(svc.command?.join(' '), name).not.toMatch(/tsx|npx/);
      expect(entry, name).toMatch(/^dist\/.+\.js$/);
      // dist/<path>.js is tsc's output of <path>.ts (or .tsx), in a folder tsconfig.build.json includes.
      const source = entry!.replace(/^dist\//, '').replace(/\.js$/, '');
      expect(existsSync(`${source}.ts`) || existsSync(`${source}.tsx`), `${name}: ${source}.ts`).toBe(true);
      expect(built, `${name}: ${source.split('/')[0]} built`).toContain(`"${source.split('/')[0]}"`);
    }
  });
});

describe('Dockerfile', () => {
  const lines = readFileSync('Dockerfile', 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
  const stages = lines.filter((l) => /^FROM /.test(l));
  const runtime = lines.slice(lines.indexOf(stages.at(-1)!));

  it('builds in one stage and runs in another with production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => /RUN npm run build/.test(l))).toBe(true);
    expect(runtime.some((l) => /npm ci .*--omit=dev/.test(l))).toBe(true);
    expect(runtime.some((l) => /COPY --from=\S+ \/app\/dist/.test(l))).toBe(true);
    // Sources never reach the runtime stage: only the build output.
    expect(runtime.filter((l) => /^COPY (?!--from)/.test(l)).join('\n')).not.toMatch(/ \.\s|api|worker/);
  });

  it('starts node on the compiled API', () => {
    expect(runtime.at(-1)).toBe('CMD ["node", "dist/api/main.js"]');
    expect(lines.join('\n')).not.toMatch(/tsx/);
  });
});

describe('.env.example', () => {
  it('documents every key of the config schema', () => {
    const text = readFileSync('.env.example', 'utf8');
    const missing = [...schemaKeys].filter((k) => !new RegExp(`^#?\\s*${k}=`, 'm').test(text));
    expect(missing).toEqual([]);
  });

  it('is git-ignored when copied to .env', () => {
    expect(readFileSync('.gitignore', 'utf8').split('\n')).toContain('.env');
  });
});

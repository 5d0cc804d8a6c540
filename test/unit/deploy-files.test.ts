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
    const apis = Object.entries(compose.services).filter(([, s]) => s.command?.includes('api/main.ts'));
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

  it('starts only entry files that exist in the repository', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      if (!svc.build) continue;
      const entry = svc.command?.find((part) => part.endsWith('.ts'));
      expect(entry, name).toBeDefined();
      expect(existsSync(entry!), `${name}: ${entry}`).toBe(true);
    }
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

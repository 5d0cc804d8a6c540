import type { AppConfig } from '../../config/index.js';

/**
 * The processes `npm start` runs after Postgres and Temporal, in this order. Each is a `tsx <entry>` child
 * with the same environment; `readyUrl` is polled until it answers 2xx.
 * A surface that adds a simulator or process appends it here.
 */
export interface ServiceSpec {
  name: string;
  entry: string;
  /** Shown in the final list of URLs. */
  url?: (config: AppConfig) => string;
  readyUrl?: (config: AppConfig) => string;
  /** Only in these profiles (default: all). */
  profiles?: AppConfig['profile'][];
  /** Runs once the service is ready (e.g. creating the sandbox accounts on the sandbox ledger). */
  afterReady?: (config: AppConfig) => Promise<void>;
}

export const SERVICES: ServiceSpec[] = [
  {
    name: 'sandbox bank',
    entry: 'sandbox/bank/main.ts',
    url: (c) => `http://localhost:${c.sandbox.bankPort}`,
    readyUrl: (c) => `http://127.0.0.1:${c.sandbox.bankPort}/`,
    profiles: ['sandbox'],
  },
  {
    name: 'sandbox KYC provider',
    entry: 'sandbox/kyc/main.ts',
    url: (c) => `http://localhost:${c.sandbox.kycPort}`,
    readyUrl: (c) => `http://127.0.0.1:${c.sandbox.kycPort}/`,
    profiles: ['sandbox'],
  },
  {
    name: 'sandbox Horizon',
    entry: 'sandbox/horizon/main.ts',
    url: (c) => `http://localhost:${c.sandbox.horizonPort}`,
    readyUrl: (c) => `http://127.0.0.1:${c.sandbox.horizonPort}/`,
    profiles: ['sandbox'],
    // Issuer, distribution (trust line, working balance) and channel accounts; idempotent (issue 4).
    afterReady: async (c) => {
      const { setupSandboxAccounts } = await import('../accounts-setup.js');
      await setupSandboxAccounts(c);
    },
  },
  {
    name: 'worker',
    entry: 'worker/main.ts',
  },
  {
    name: 'API',
    entry: 'api/main.ts',
    url: (c) => c.api.publicUrl,
    readyUrl: (c) => `http://127.0.0.1:${c.api.port}/health`,
  },
];

/** The services `npm start` runs in this profile, in order. */
export function servicesFor(profile: AppConfig['profile']): ServiceSpec[] {
  return SERVICES.filter((svc) => !svc.profiles || svc.profiles.includes(profile));
}

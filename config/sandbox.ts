import type { Env } from './schema.js';

/** Ports and knobs of the simulators `npm start` runs in the sandbox profile (sandbox/horizon, bank, kyc). */
export function buildSandboxConfig(e: Env) {
  return {
    horizonPort: e.SANDBOX_HORIZON_PORT,
    bankPort: e.SANDBOX_BANK_PORT,
    kycPort: e.SANDBOX_KYC_PORT,
    horizon: {
      ledgerCloseMs: e.SANDBOX_HORIZON_LEDGER_CLOSE_MS,
      maxOpsPerLedger: e.SANDBOX_HORIZON_MAX_OPS_PER_LEDGER,
      /** 'FROM>TO' (assets as 'native' or 'CODE:ISSUER') → destination units per source unit */
      pathPaymentRates: pathPaymentRates(e.SANDBOX_HORIZON_PATH_PAYMENT_RATES),
    },
  };
}

function pathPaymentRates(raw: string | undefined): Record<string, string> {
  return Object.fromEntries(
    (raw ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]),
  );
}

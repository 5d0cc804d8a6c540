import { describe, expect, it } from 'vitest';
import { formatReport, runFaultScenario } from './scenario.js';

/**
 * The fault harness in the ordinary suite, small: 5 deposits and 5 withdrawals through `npm start`'s stack with
 * 20 % of the requests to sandbox Horizon, bank and KYC provider answered by an injected fault, and one restart of
 * the Temporal server mid-run. The full run (100 + 100, 20 %, a Postgres restart too) is `npm run test:faults`.
 * 20 %, as the issue asks: a deposit payout attempt asks a failed Horizon read again inside the attempt and has 10
 * attempts, so a fault rate that used up 6 plain attempts in the first full run (docs/reliability.md, Measured)
 * no longer ends a deposit in `error`.
 */
describe('fault harness, small (issue 15 item 7)', () => {
  it('every transfer ends final, paid or refunded exactly once, balances exact, under 20 % injected faults and a Temporal restart (S24-12, S24-14, S24-22)', async () => {
    const seed = Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const report = await runFaultScenario({
      label: 'faults-small',
      deposits: 5,
      withdrawals: 5,
      rate: 0.2,
      seed,
      restartPostgres: false,
      restartTemporal: true,
      concurrency: 10,
      finalWithinMs: 360_000,
    });
    console.log(formatReport(report));
    expect(report.problems).toEqual([]);
    // The faults did happen, of every kind, on every simulator's path.
    const injected = Object.values(report.faults).reduce(
      (n, st) => n + Object.values(st.faults).reduce((a, b) => a + b, 0),
      0,
    );
    expect(injected).toBeGreaterThan(5);
    for (const [name, st] of Object.entries(report.faults)) expect(st.requests, name).toBeGreaterThan(0);
    expect(report.restarts.temporal).toBeDefined();
  }, 600_000);
});

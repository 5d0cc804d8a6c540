import { describe, expect, it } from 'vitest';
import { formatReport, runFaultScenario } from './scenario.js';

/**
 * `npm run test:faults` (issue 15 acceptance): 100 deposits and 100 withdrawals through `npm start`'s stack with
 * 20 % injected faults on Horizon, bank and KYC, one Postgres restart and one Temporal restart mid-run. Every
 * transfer ends final, each paid or refunded exactly once, every balance exact. Sizes and rate can be changed
 * with FAULT_DEPOSITS, FAULT_WITHDRAWALS, FAULT_RATE, FAULT_FINAL_MINUTES (how long every transfer has to become
 * final, default 45); FAULT_SEED replays a run's fault mix.
 */
const env = process.env;
describe('fault run (issue 15 item 7)', () => {
  it('100 + 100 transfers under 20 % faults, a Postgres and a Temporal restart: all final, exactly once, balances exact (S24-12, S24-14, S24-22)', async () => {
    const seed = Number(env.FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const report = await runFaultScenario({
      label: 'faults',
      deposits: Number(env.FAULT_DEPOSITS ?? 100),
      withdrawals: Number(env.FAULT_WITHDRAWALS ?? 100),
      rate: Number(env.FAULT_RATE ?? 0.2),
      seed,
      restartPostgres: env.FAULT_PG_RESTART !== '0',
      restartTemporal: env.FAULT_TEMPORAL_RESTART !== '0',
      concurrency: Number(env.FAULT_CONCURRENCY ?? 12),
      finalWithinMs: Number(env.FAULT_FINAL_MINUTES ?? 45) * 60_000,
    });
    console.log(formatReport(report));
    console.log(`[faults] report ${JSON.stringify(report)}`);
    expect(report.problems).toEqual([]);
    expect(report.restarts.postgres).toBeDefined();
    expect(report.restarts.temporal).toBeDefined();
  }, 3_600_000);
});

import { sql } from 'kysely';
import { type Stack, until } from './index.js';

/**
 * SIGKILLs worker `worker` once the flows' progress counter reaches each target, after a seeded random delay of
 * up to `jitterMs`, and restarts it. Logs what was in flight at each kill (statuses of unfinished transactions),
 * so a run shows that the kills landed on live work.
 */
export async function killAtProgress(opts: {
  stack: Stack;
  label: string;
  random: () => number;
  targets: number[];
  progress: () => number;
  jitterMs?: number;
  worker?: number;
}): Promise<string[]> {
  const { stack, random } = opts;
  const log: string[] = [];
  const t0 = Date.now();
  for (const target of opts.targets) {
    await until(() => opts.progress() >= target, 300_000, `${opts.label}: progress ${target}`);
    await new Promise((r) => setTimeout(r, Math.floor(random() * (opts.jitterMs ?? 1500))));
    const rows = await sql<{ status: string; n: string }>`
      select status, count(*)::text as n from transactions
      where status not in ('completed', 'refunded', 'error', 'expired') group by status order by status`.execute(
      stack.db,
    );
    const inFlight = rows.rows.map((r) => `${r.status}=${r.n}`).join(' ') || 'none';
    await stack.killWorker(opts.worker ?? 0, 'SIGKILL');
    log.push(`+${Date.now() - t0} ms after progress ${target} (in flight: ${inFlight})`);
    await stack.restartWorker(opts.worker ?? 0);
  }
  console.log(`[${opts.label}] SIGKILL ${log.join('; ')}`);
  return log;
}

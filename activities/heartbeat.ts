import { Context } from '@temporalio/activity';

/** How often a long activity heartbeats at most; a third of its heartbeatTimeout when that is shorter. */
const HEARTBEAT_EVERY_MS = 2_000;

/**
 * Runs `work` while heartbeating on a timer, so the server notices a lost worker within the activity's
 * `heartbeatTimeout` (seconds) instead of its `startToCloseTimeout` (minutes), and retries it elsewhere. The
 * heartbeat proves the worker is alive, not progress: the work itself is idempotent by its ref. Outside an
 * activity (a direct call in a test or script) it just runs `work`.
 */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return work();
  }
  const timeoutMs = ctx.info.heartbeatTimeoutMs;
  const every = timeoutMs ? Math.min(HEARTBEAT_EVERY_MS, Math.max(100, timeoutMs / 3)) : HEARTBEAT_EVERY_MS;
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), every);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/**
 * Set by `npm start` (scripts/lib/proc.ts) in each child it supervises: the child's stdin is a pipe from the
 * supervisor, and its end means the supervisor is gone (even SIGKILLed), so the child shuts down instead of
 * running on as an orphan.
 */
export const SUPERVISED_ENV = 'ANCHOR_SUPERVISED';

/** Calls `onGone` once when the supervising `npm start` is gone; nothing when the process runs on its own. */
export function onSupervisorGone(onGone: () => void, env: NodeJS.ProcessEnv = process.env): void {
  if (env[SUPERVISED_ENV] !== '1') return;
  let called = false;
  const gone = () => {
    if (called) return;
    called = true;
    onGone();
  };
  const stdin = process.stdin as NodeJS.ReadStream & { unref?: () => void };
  stdin.on('end', gone);
  stdin.on('close', gone);
  stdin.on('error', gone);
  stdin.resume(); // reading is what notices the end
  stdin.unref?.(); // …without keeping a finished process alive
}

/**
 * Runs `close` once, on the first SIGINT or SIGTERM (or when the supervisor is gone), then exits 0. A second
 * signal while closing is ignored, so an impatient Ctrl-C cannot interrupt the clean-up half way.
 */
export function exitOnSignal(close: (signal: NodeJS.Signals) => Promise<void>): void {
  let closing = false;
  const onSignal = async (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    await close(signal).catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => void onSignal('SIGINT'));
  process.on('SIGTERM', () => void onSignal('SIGTERM'));
  onSupervisorGone(() => void onSignal('SIGTERM'));
}

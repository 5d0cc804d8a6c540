/**
 * Runs `close` once, on the first SIGINT or SIGTERM, then exits 0. A second signal while closing is ignored, so
 * an impatient Ctrl-C cannot interrupt the clean-up half way.
 */
export function exitOnSignal(close: (signal: NodeJS.Signals) => Promise<void>): void {
  let closing = false;
  const onSignal = async (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    await close(signal);
    process.exit(0);
  };
  process.on('SIGINT', () => void onSignal('SIGINT'));
  process.on('SIGTERM', () => void onSignal('SIGTERM'));
}

/**
 * Workflow time: `Date.now()` inside a workflow is the deterministic workflow clock (the SDK replaces it), so
 * these helpers replay to the same values.
 */

/** Milliseconds in `seconds` (timers and `condition` timeouts take ms). */
export const secondsMs = (seconds: number): number => seconds * 1000;

/** The ISO time `seconds` from now (user_action_required_by and other deadlines). */
export const isoIn = (seconds: number): string => new Date(Date.now() + secondsMs(seconds)).toISOString();

/** "30m" → 1800 (the TOPUP_SIGNATURE_TIMEOUT format, validated by the config schema). */
export function durationSeconds(d: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(d);
  if (!m) throw new Error(`bad duration ${d}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

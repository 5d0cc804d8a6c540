import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { SUPERVISED_ENV } from '../../config/shutdown.js';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/**
 * Runs `node --import tsx <entry>` with the given environment, its output appended to `logFile`. One process per
 * service (the `tsx` CLI forks a second node process, which a signal to the CLI alone can orphan), in its own
 * process group (a terminal's Ctrl-C reaches the supervisor only, which stops the children in order), with a
 * stdin pipe the child watches (its end means the supervisor is gone).
 */
export function startTsx(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  logFile: string,
): ManagedProcess {
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...env, [SUPERVISED_ENV]: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  // The child closing its end first (on exit) must not become an unhandled EPIPE here.
  child.stdin?.on('error', () => {});
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, logFile, exited };
}

export const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Signals the child's process group (a detached child and anything it started), else the child alone. */
export function signalProcess(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (!isRunning(child)) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  signalProcess(child, 'SIGTERM');
  const timer = setTimeout(() => signalProcess(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Polls `url` until it answers 2xx, the process dies, or the deadline passes. */
export async function waitForHttp(
  url: string,
  proc: ManagedProcess | undefined,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  proc?.exited.then(() => {
    dead = true;
  });
  let last = '';
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${proc?.name} exited before it was ready:\n${tail(proc!.logFile)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer in ${timeoutMs / 1000} s (${last})`);
}

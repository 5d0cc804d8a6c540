import { isRunning, type ManagedProcess, stopProcess, tail } from './proc.js';

/** Restart delays: doubling from `initialMs` up to `maxMs`; a run that lasted `resetAfterMs` starts over. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

/** The delay before restart number `consecutive` (1-based) of a process that keeps dying. */
export function restartDelay(consecutive: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, consecutive - 1));
}

export interface SupervisedSpec {
  name: string;
  /** Spawns one incarnation. */
  spawn: () => ManagedProcess;
  /** Resolves once the incarnation serves (polled URL); throws when it died first. */
  ready?: (proc: ManagedProcess) => Promise<void>;
  /** Runs after each restart once ready (e.g. the sandbox accounts on a restarted ledger). */
  afterRestart?: () => Promise<void>;
  backoff?: Backoff;
  /** How the supervisor tells the operator what happened. */
  say: (line: string) => void;
}

/**
 * One child `npm start` keeps running: when it exits on its own, the supervisor says so (with the tail of its
 * log) and starts it again after a back-off, instead of taking the whole local anchor down. `stop()` ends it
 * for good.
 */
export class Supervised {
  private proc: ManagedProcess | undefined;
  private stopping = false;
  private consecutive = 0;
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly backoff: Backoff;
  /** Restarts so far (tests and the final summary read it). */
  restarts = 0;

  constructor(private readonly spec: SupervisedSpec) {
    this.backoff = spec.backoff ?? DEFAULT_BACKOFF;
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.proc && isRunning(this.proc.child) ? this.proc.child.pid : undefined;
  }

  get current(): ManagedProcess | undefined {
    return this.proc;
  }

  /** The first start: a process that dies before it is ready is a start-up error (config, port), not a crash. */
  async start(): Promise<void> {
    const proc = this.launch();
    await this.spec.ready?.(proc);
  }

  private launch(): ManagedProcess {
    const proc = this.spec.spawn();
    this.proc = proc;
    this.startedAt = Date.now();
    proc.exited.then(() => this.onExit(proc));
    return proc;
  }

  private onExit(proc: ManagedProcess): void {
    if (this.stopping || proc !== this.proc) return;
    const ranMs = Date.now() - this.startedAt;
    if (ranMs >= this.backoff.resetAfterMs) this.consecutive = 0;
    this.consecutive++;
    const delay = restartDelay(this.consecutive, this.backoff);
    const how = proc.child.signalCode
      ? `killed by ${proc.child.signalCode}`
      : `exited with code ${proc.child.exitCode}`;
    const log = tail(proc.logFile, 8);
    this.spec.say(
      `${this.name} ${how} after ${formatMs(ranMs)}; restarting in ${formatMs(delay)} (restart ${this.restarts + 1}, log ${proc.logFile})${log ? `\n${indent(log)}` : ''}`,
    );
    this.timer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    this.timer = undefined;
    if (this.stopping) return;
    this.restarts++;
    const proc = this.launch();
    try {
      await this.spec.ready?.(proc);
      if (this.stopping || proc !== this.proc) return;
      await this.spec.afterRestart?.();
      this.spec.say(`${this.name} is back (pid ${proc.child.pid})`);
    } catch (err) {
      // Died again before it was ready: onExit has already scheduled the next attempt.
      if (isRunning(proc.child) && !this.stopping) {
        this.spec.say(`${this.name} restarted but is not ready yet: ${(err as Error).message}`);
      }
    }
  }

  async stop(graceMs?: number): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.proc) await stopProcess(this.proc.child, graceMs);
  }
}

function formatMs(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');

/**
 * Where a benchmark's CPU went, by process kind: snapshots of every process's utime + stime (/proc/<pid>/stat)
 * and of the machine's busy time (/proc/stat), before and after a run. Linux only; elsewhere the snapshots are
 * empty and the breakdown says so. Clock ticks are 100 Hz (USER_HZ on every Linux this runs on).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const TICKS_PER_SECOND = 100;

/** The kind a process is counted under, from its pid, its command name and its command line; undefined: "other". */
export type Classify = (p: { pid: number; comm: string; cmdline: string }) => string | undefined;

export interface CpuSnapshot {
  at: number;
  /** pid → [kind, CPU ticks so far] for the processes the classifier named. */
  processes: Map<number, [string, number]>;
  /** Busy and total ticks of all cores (/proc/stat). */
  machine: { busy: number; total: number } | undefined;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process ended meanwhile, or not Linux
  }
}

export function cpuSnapshot(classify: Classify): CpuSnapshot {
  const processes = new Map<number, [string, number]>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    // not Linux
  }
  for (const dir of pids) {
    const stat = read(`/proc/${dir}/stat`);
    if (!stat) continue;
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(open + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    const cmdline = (read(`/proc/${dir}/cmdline`) ?? '').replaceAll('\0', ' ');
    const kind = classify({ pid: Number(dir), comm, cmdline });
    if (kind) processes.set(Number(dir), [kind, ticks]);
  }
  let machine: CpuSnapshot['machine'];
  const line = read('/proc/stat')?.split('\n')[0];
  if (line?.startsWith('cpu ')) {
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
    const busy = user! + nice! + system! + irq! + softirq! + steal!;
    machine = { busy, total: busy + idle! + iowait! };
  }
  return { at: performance.now(), processes, machine };
}

export interface CpuUse {
  wallSeconds: number;
  /** CPU seconds per kind; "other" is the machine's busy time no named process accounts for. */
  byKind: Map<string, number>;
  /** Share of all cores busy over the interval (0–1). */
  machineBusy: number | undefined;
}

/** CPU used between two snapshots. A process that started in between counts from zero; one that ended is lost. */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
  const byKind = new Map<string, number>();
  let named = 0;
  for (const [pid, [kind, ticks]] of b.processes) {
    const before = a.processes.get(pid)?.[1] ?? 0;
    const s = Math.max(0, ticks - before) / TICKS_PER_SECOND;
    named += s;
    byKind.set(kind, (byKind.get(kind) ?? 0) + s);
  }
  let machineBusy: number | undefined;
  if (a.machine && b.machine && b.machine.total > a.machine.total) {
    const busy = (b.machine.busy - a.machine.busy) / TICKS_PER_SECOND;
    machineBusy = (b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total);
    byKind.set('other', Math.max(0, busy - named));
  }
  return { wallSeconds: (b.at - a.at) / 1000, byKind, machineBusy };
}

/** Sums several intervals' use (alternated rounds of one side). */
export function addCpuUse(uses: CpuUse[]): CpuUse {
  const byKind = new Map<string, number>();
  let wall = 0;
  let busyWeighted = 0;
  let known = true;
  for (const u of uses) {
    wall += u.wallSeconds;
    for (const [k, s] of u.byKind) byKind.set(k, (byKind.get(k) ?? 0) + s);
    if (u.machineBusy === undefined) known = false;
    else busyWeighted += u.machineBusy * u.wallSeconds;
  }
  return { wallSeconds: wall, byKind, machineBusy: known && wall > 0 ? busyWeighted / wall : undefined };
}

export const CORES = cpus().length;

/** CPU milliseconds per unit of work (a deposit), by kind, in `order`, and their total. */
export function perUnit(
  use: CpuUse,
  units: number,
  order: string[],
): { parts: [string, number][]; total: number } {
  const parts = order.map((k): [string, number] => [k, ((use.byKind.get(k) ?? 0) * 1000) / units]);
  return { parts, total: parts.reduce((a, [, ms]) => a + ms, 0) };
}

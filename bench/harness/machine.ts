// Machine facts for the benchmarks: the machine line (shared with the CLI, src/util/machine.ts) and
// how busy the cores are with other work (/proc/stat), so a disturbed figure is flagged.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';

export { machineInfo, machineLine, parseCpuinfo, parseOsRelease, type MachineInfo } from '../../src/util/machine.js';

/** Busy and total jiffies summed over all CPUs, from the first line of /proc/stat. */
export function parseProcStat(text: string): { busy: number; total: number } {
  const first = text.split('\n')[0] ?? '';
  if (!first.startsWith('cpu ')) throw new Error(`bench/harness/machine.ts parseProcStat: expected a first line "cpu  user nice system idle iowait ...", got "${first.slice(0, 60)}"`);
  const f = first.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0); // user..steal; guest is inside user
  const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/**
 * How many cores were busy (0..cores) over the next `ms` milliseconds, whoever used them:
 * measured just before a benchmark, it says whether other work was competing for the cores.
 * null where /proc/stat does not exist.
 */
export async function busyCores(ms = 500): Promise<number | null> {
  if (!existsSync('/proc/stat')) return null;
  const a = parseProcStat(readFileSync('/proc/stat', 'utf8'));
  await new Promise((r) => setTimeout(r, ms));
  const b = parseProcStat(readFileSync('/proc/stat', 'utf8'));
  const total = b.total - a.total;
  return total > 0 ? ((b.busy - a.busy) / total) * os.cpus().length : 0;
}

/** CPU time counters at one instant, all in clock ticks (USER_HZ), for othersBusyCores(). */
export interface CpuSnapshot {
  /** Busy and total ticks of the whole machine (/proc/stat). */
  busy: number;
  total: number;
  /** This process's own and its reaped children's user + system ticks (/proc/self/stat). */
  ownAndChildren: number;
}

/** utime + stime + cutime + cstime (fields 14-17) from the text of /proc/<pid>/stat. */
export function parsePidStatTicks(text: string): number {
  // The command name (field 2) is in parentheses and may hold spaces: split after it.
  const rest = text.slice(text.lastIndexOf(')') + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state), so field k is rest[k - 3].
  const f = (k: number) => Number(rest[k - 3]);
  const ticks = f(14) + f(15) + f(16) + f(17);
  if (!Number.isFinite(ticks)) throw new Error(`bench/harness/machine.ts parsePidStatTicks: expected numeric fields 14-17 in /proc/<pid>/stat, got "${text.slice(0, 80)}"`);
  return ticks;
}

export function cpuSnapshot(): CpuSnapshot | null {
  if (!existsSync('/proc/stat') || !existsSync('/proc/self/stat')) return null;
  const m = parseProcStat(readFileSync('/proc/stat', 'utf8'));
  return { ...m, ownAndChildren: parsePidStatTicks(readFileSync('/proc/self/stat', 'utf8')) };
}

/**
 * Cores kept busy by OTHER processes between two snapshots: the machine's busy ticks minus
 * ours and our finished children's, over the elapsed ticks of one core. A benchmark taken
 * while this is well above 0 shared its cores and reads slow. Children still running at
 * `after` are not yet counted as ours, so take `after` once they have exited.
 */
export function othersBusyCores(before: CpuSnapshot, after: CpuSnapshot, cores = os.cpus().length): number {
  const total = after.total - before.total;
  if (total <= 0) return 0;
  const others = (after.busy - before.busy) - (after.ownAndChildren - before.ownAndChildren);
  return Math.max(0, (others / total) * cores);
}

/**
 * CPU time of each thread of this process so far, in nanoseconds, by thread id: the first field of
 * /proc/self/task/<tid>/schedstat (time on a CPU). null where that does not exist. A thread that
 * ends between the listing and its read is left out.
 */
export function threadCpuSnapshot(): Map<number, number> | null {
  if (!existsSync('/proc/self/task')) return null;
  const cpu = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      if (Number.isFinite(ns)) cpu.set(Number(tid), ns);
    } catch {
      // the thread ended
    }
  }
  return cpu;
}

/**
 * CPU seconds that threads other than the run's own took between two snapshots: all of this
 * process's threads except the main one (`mainTid`, process.pid) and the `ownThreads − 1` busiest
 * others, which at `ownThreads` threads are the native pool's workers (a worker spins or works
 * through a whole epoch). What is left is V8's compiler and garbage-collector threads and libuv's:
 * at two threads on two cores, CPU taken from the run itself (bench/RESULTS.md, "V8's compiler
 * threads and the first epochs at two threads").
 */
export function backgroundCpuSeconds(before: Map<number, number>, after: Map<number, number>, mainTid: number, ownThreads: number): number {
  const used = [...after].filter(([tid]) => tid !== mainTid).map(([tid, ns]) => ns - (before.get(tid) ?? 0)).sort((a, b) => b - a);
  return used.slice(Math.max(0, ownThreads - 1)).reduce((a, b) => a + b, 0) / 1e9;
}

// The machine line from fixed /proc/cpuinfo and /etc/os-release text.
import { describe, expect, it } from 'vitest';
import {
  backgroundCpuSeconds, busyCores, machineInfo, machineLine, othersBusyCores, parseCpuinfo, parseOsRelease, parsePidStatTicks, parseProcStat,
  threadCpuSnapshot,
} from '../../bench/harness/machine.js';

const cpuinfo = [
  'processor\t: 0', 'vendor_id\t: AuthenticAMD', 'model name\t: AMD EPYC',
  'flags\t\t: fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 avx512f avx512dq avx512bw avx512vl avx512_bf16', '',
  'processor\t: 1', 'vendor_id\t: AuthenticAMD', 'model name\t: AMD EPYC',
  'flags\t\t: fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 avx512f avx512dq avx512bw avx512vl avx512_bf16', '',
].join('\n');

const osRelease = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';

describe('bench/harness/machine', () => {
  it('reads model, processor count and SIMD flags from /proc/cpuinfo text', () => {
    const cpu = parseCpuinfo(cpuinfo);
    expect(cpu.cpuModel).toBe('AMD EPYC');
    expect(cpu.cores).toBe(2);
    expect(cpu.isa).toEqual(['sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_bf16']);
  });

  it('reads "Debian 12" from /etc/os-release text', () => {
    expect(parseOsRelease(osRelease)).toBe('Debian 12');
  });

  it('writes the machine line in the project\'s form', () => {
    const line = machineLine({ ...parseCpuinfo(cpuinfo), memoryGiB: 24, os: parseOsRelease(osRelease), node: '20.20.2' });
    expect(line).toBe('2-core AMD EPYC (AVX-512), 24 GiB, Debian 12, Node 20.20.2');
    expect(machineLine({ cpuModel: 'X', cores: 4, isa: ['avx', 'avx2'], memoryGiB: 8, os: 'Y 1', node: '20.0.0' }))
      .toBe('4-core X (AVX2), 8 GiB, Y 1, Node 20.0.0');
  });

  it('describes the running machine with this Node\'s version', () => {
    const info = machineInfo();
    expect(info.cores).toBeGreaterThan(0);
    expect(info.node).toBe(process.versions.node);
  });

  it('sums busy and total jiffies from /proc/stat (idle and iowait are not busy)', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    const stat = 'cpu  100 5 50 1000 20 1 2 3 40 0\ncpu0 50 2 25 500 10 0 1 1 20 0\n';
    // total = 100+5+50+1000+20+1+2+3 = 1181; busy = 1181 - (1000+20) = 161
    expect(parseProcStat(stat)).toEqual({ busy: 161, total: 1181 });
    expect(() => parseProcStat('intr 1 2 3')).toThrow(/parseProcStat: expected a first line "cpu/);
  });

  it('measures busy cores between 0 and the core count', async () => {
    const busy = await busyCores(50);
    expect(busy).not.toBeNull();
    expect(busy!).toBeGreaterThanOrEqual(0);
    expect(busy!).toBeLessThanOrEqual(machineInfo().cores + 1e-9);
  });

  it('sums utime, stime, cutime and cstime from /proc/<pid>/stat, even with spaces in the name', () => {
    // fields: 1 pid, 2 (comm), 3 state, 4..13 ten numbers, 14 utime, 15 stime, 16 cutime, 17 cstime, 18...
    const stat = '4242 (node bench x) S 1 2 3 4 5 6 7 8 9 10 120 30 400 50 20 0 1\n';
    expect(parsePidStatTicks(stat)).toBe(120 + 30 + 400 + 50);
  });

  it('counts as other work the busy ticks that are neither ours nor our children\'s', () => {
    const before = { busy: 1000, total: 5000, ownAndChildren: 300 };
    // 400 total ticks on 2 cores = 200 ticks of wall per core; 300 busy, 100 of them ours:
    // others used 200 ticks = 1 core for the whole interval.
    const after = { busy: 1300, total: 5400, ownAndChildren: 400 };
    expect(othersBusyCores(before, after, 2)).toBe(1);
    expect(othersBusyCores(before, { busy: 1100, total: 5400, ownAndChildren: 420 }, 2)).toBe(0); // clamped
  });

  it('background CPU: every thread but the main one and the pool\'s busiest ones; a thread started in between counts whole', () => {
    const ms = (m: number) => m * 1e6;  // ns
    const before = new Map([[100, ms(50)], [101, ms(3)], [102, ms(1)], [103, ms(2)]]);
    // main 100 (+200 ms), pool worker 103 (+190 ms), V8 threads 101 (+7 ms) and 102 (+4 ms), 104 new (+5 ms)
    const after = new Map([[100, ms(250)], [101, ms(10)], [102, ms(5)], [103, ms(192)], [104, ms(5)]]);
    expect(backgroundCpuSeconds(before, after, 100, 2)).toBeCloseTo(0.016, 9);
    // one thread: the worker's 190 ms are not the run's own
    expect(backgroundCpuSeconds(before, after, 100, 1)).toBeCloseTo(0.206, 9);
    // Between two snapshots this process spins until its CPU time (process.cpuUsage, all threads) has
    // grown by 50 ms; the threads in both snapshots account for it, short of what threads started or
    // ended in between took (where /proc/self/task exists: Linux).
    const first = threadCpuSnapshot();
    const start = process.cpuUsage();
    while (((u) => u.user + u.system)(process.cpuUsage(start)) < 50_000) { /* busy */ }
    const second = threadCpuSnapshot();
    if (first !== null && second !== null) {
      const grew = [...second].reduce((a, [tid, ns]) => a + (first.has(tid) ? ns - first.get(tid)! : 0), 0);
      expect(grew).toBeGreaterThanOrEqual(0.04e9);
    }
  });
});

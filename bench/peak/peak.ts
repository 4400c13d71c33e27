// The machine's ceilings: peak FMA rate (fma_peak.c), bf16 dot-product rate beside it
// (bf16_peak.c) and memory bandwidth (triad.c), all compiled with gcc -O2 -march=native at
// bench time into bench/out/, then run at 1 and 2 threads. A Runner named "machine peak"
// whose metrics sit in the same table as the peers.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runPeerScript } from '../harness/peers.js';
import { benchDir, outDir } from '../harness/paths.js';
import type { Metric, Result, RunOptions, Runner } from '../harness/runner.js';
import { summarize } from '../harness/stats.js';

interface FmaOutput {
  avx512_gflops: number | null;
  avx2_gflops: number;
}
interface TriadOutput { gbps: number[] }
/** bf16_peak's JSON: GFLOP/s of all threads together; the bf16 fields are null without AVX512_BF16. */
export interface Bf16PeakOutput {
  fp32_isa: string;
  fp32_gflops_median: number;
  fp32_gflops_spread: number;
  bf16_gflops_median: number | null;
  bf16_gflops_spread: number | null;
  ratio_median: number | null;
  ratio_spread: number | null;
  bf16_reason: string | null;
}

/** The bf16 peak per core and its ratio to the float32 FMA peak measured in the same rounds. */
export function bf16PeakMetrics(out: Bf16PeakOutput, threads: number): Metric[] {
  if (out.bf16_gflops_median === null || out.ratio_median === null) return [];
  return [
    { key: `peak.bf16_dot.t${threads}`, label: `peak bf16 dot product (VDPBF16PS) GFLOP/s per core, ${threadsLabel(threads)}`, value: out.bf16_gflops_median / threads, unit: 'GFLOP/s', spread: out.bf16_gflops_spread ?? undefined },
    { key: `peak.bf16_over_fp32.t${threads}`, label: `peak bf16 / float32 FMA (${out.fp32_isa}), ${threadsLabel(threads)}`, value: out.ratio_median, unit: '×', spread: out.ratio_spread ?? undefined },
  ];
}

/** Compiles bench/peak/NAME.c to bench/out/NAME unless the binary is newer than the source,
 *  the headers beside it and the loops it shares with the addon (native/peak_loops.h). */
export function compilePeak(name: string, cc = process.env.CC ?? 'gcc'): string {
  const peakDir = join(benchDir(), 'peak');
  const source = join(peakDir, `${name}.c`);
  const binary = join(outDir(), name);
  mkdirSync(outDir(), { recursive: true });
  const inputs = [source, join(benchDir(), '..', 'native', 'peak_loops.h'),
    ...readdirSync(peakDir).filter((f) => f.endsWith('.h')).map((f) => join(peakDir, f))];
  const newestInput = Math.max(...inputs.map((f) => statSync(f).mtimeMs));
  if (existsSync(binary) && statSync(binary).mtimeMs > newestInput) return binary;
  execFileSync(cc, ['-O2', '-march=native', '-pthread', '-o', binary, source], { stdio: ['ignore', 'ignore', 'pipe'] });
  return binary;
}

const threadsLabel = (t: number) => `${t} thread${t === 1 ? '' : 's'}`;

export const peakRunner: Runner = {
  name: 'machine peak',
  async run(opts: RunOptions): Promise<Result> {
    const name = 'machine peak';
    let fma: string, bf16: string, triad: string;
    try {
      fma = compilePeak('fma_peak');
      bf16 = compilePeak('bf16_peak');
      triad = compilePeak('triad');
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
      const reason = e.code === 'ENOENT' ? 'no C compiler (gcc) to build bench/peak/*.c' : `compiling bench/peak failed: ${String(e.stderr ?? e.message).trim().split('\n')[0]}`;
      return { name, status: e.code === 'ENOENT' ? 'absent' : 'failed', reason, metrics: [] };
    }
    const repeats = opts.quick ? 3 : 7;
    const metrics: Metric[] = [];
    const raw: Record<string, unknown> = {};
    let load = 0; // the most cores other processes kept busy during any run
    for (const t of opts.threads ?? [1, 2]) {
      const fmaRuns: FmaOutput[] = [];
      for (let r = 0; r < repeats; r++) {
        const out = await runPeerScript({ name: 'fma_peak', command: fma, args: [String(t), '0.3'], timeoutMs: opts.timeoutMs ?? 60_000 });
        if (out.status !== 'ok') return { name, status: 'failed', reason: `fma_peak ${t}: ${out.reason}`, metrics };
        fmaRuns.push(out.results as FmaOutput);
        load = Math.max(load, out.otherBusyCores ?? 0);
      }
      raw[`fma_t${t}`] = fmaRuns;
      const avx512 = fmaRuns.map((x) => x.avx512_gflops).filter((x): x is number => x !== null);
      if (avx512.length > 0) {
        const s = summarize(avx512.map((x) => x / t));
        metrics.push({ key: `peak.fma_avx512.t${t}`, label: `peak FMA AVX-512 GFLOP/s per core, ${threadsLabel(t)}`, value: s.median, unit: 'GFLOP/s', spread: s.spread });
      }
      const s2 = summarize(fmaRuns.map((x) => x.avx2_gflops / t));
      metrics.push({ key: `peak.fma_avx2.t${t}`, label: `peak FMA AVX2 GFLOP/s per core, ${threadsLabel(t)}`, value: s2.median, unit: 'GFLOP/s', spread: s2.spread });

      // bf16 and float32 alternate inside one process, `repeats` rounds: the ratio is read
      // under the same load. Without AVX512_BF16 only the reason is kept (in the raw results).
      const bf = await runPeerScript({ name: 'bf16_peak', command: bf16, args: [String(t), '0.3', String(repeats)], timeoutMs: opts.timeoutMs ?? 60_000 });
      if (bf.status !== 'ok') return { name, status: 'failed', reason: `bf16_peak ${t}: ${bf.reason}`, metrics };
      raw[`bf16_t${t}`] = bf.results;
      load = Math.max(load, bf.otherBusyCores ?? 0);
      const bfOut = bf.results as Bf16PeakOutput;
      const bfRows = bf16PeakMetrics(bfOut, t);
      metrics.push(...bfRows);
      // Without bf16 rows the table would be silent about why: the reason goes on the FMA row.
      if (bfRows.length === 0 && bfOut.bf16_reason) metrics[metrics.length - 1].note = `no bf16 peak (bench/peak/bf16_peak.c): ${bfOut.bf16_reason}`;

      const tr = await runPeerScript({ name: 'triad', command: triad, args: [String(t), '256', String(opts.quick ? 4 : 10)], timeoutMs: opts.timeoutMs ?? 120_000 });
      if (tr.status !== 'ok') return { name, status: 'failed', reason: `triad ${t}: ${tr.reason}`, metrics };
      raw[`triad_t${t}`] = tr.results;
      load = Math.max(load, tr.otherBusyCores ?? 0);
      // The first pass also pays for page faults of a: dropped when there are others.
      const passes = (tr.results as TriadOutput).gbps;
      const bw = summarize(passes.length > 1 ? passes.slice(1) : passes);
      metrics.push({ key: `peak.triad.t${t}`, label: `triad bandwidth GB/s, ${threadsLabel(t)}`, value: bw.median, unit: 'GB/s', spread: bw.spread });
    }
    return { name, status: 'ok', metrics, results: raw, otherBusyCores: load };
  },
};

// The machine's ceilings for "fraction of peak": the FMA rate and memory bandwidth measured by
// the benchmark suite (bench/peak, found in the newest bench/out/bench-*.json), or defaults.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../data/package-root.js';

export interface MachinePeak {
  /** Peak float32 FLOP rate of one core. */
  gflopsPerCore: number;
  /** Memory bandwidth (STREAM triad), GB/s. */
  gbps: number;
  /** Where the numbers came from. */
  source: string;
}

/**
 * Used when nothing was measured: one AVX-512 core doing two 16-lane float32 FMAs per cycle
 * (64 FLOPs) at ~3.75 GHz is 240 GFLOP/s; 30 GB/s is a typical one-socket triad figure.
 */
export const DEFAULT_PEAK: MachinePeak = { gflopsPerCore: 240, gbps: 30, source: 'default (AVX-512: 240 GFLOP/s per core, 30 GB/s)' };

interface BenchJson {
  results?: { name?: string; metrics?: { key: string; value: number }[] }[];
}

/** The newest bench/out/bench-*.json that holds the 'machine peak' metrics, or null. */
export function measuredPeak(root: string = packageRoot()): MachinePeak | null {
  const dir = path.join(root, 'bench', 'out');
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => /^bench-.*\.json$/.test(f)).sort().reverse();
  } catch {
    return null;
  }
  for (const f of files) {
    let json: BenchJson;
    try {
      json = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as BenchJson;
    } catch {
      continue;
    }
    const metrics = new Map<string, number>();
    for (const r of json.results ?? []) for (const m of r.metrics ?? []) metrics.set(m.key, m.value);
    const flops = metrics.get('peak.fma_avx512.t1') ?? metrics.get('peak.fma_avx2.t1');
    if (flops === undefined) continue;
    const gbps = metrics.get('peak.triad.t1') ?? DEFAULT_PEAK.gbps;
    return { gflopsPerCore: flops, gbps, source: `measured by bench/peak (${path.join('bench', 'out', f)})` };
  }
  return null;
}

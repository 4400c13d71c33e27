// bench/peak/bf16_peak.c and fma_peak.c compiled and run briefly: which loops they run must
// agree with the CPU flags /proc/cpuinfo lists (read independently of the programs'
// __builtin_cpu_supports), and their JSON must hold together; bf16PeakMetrics shapes
// bf16_peak's JSON into table rows.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bf16PeakMetrics, type Bf16PeakOutput } from '../../bench/peak/peak.js';
import { parseCpuinfo } from '../../src/util/machine.js';

const peakDir = join(import.meta.dirname, '..', '..', 'bench', 'peak');
const isa = existsSync('/proc/cpuinfo') ? parseCpuinfo(readFileSync('/proc/cpuinfo', 'utf8')).isa : [];

describe.runIf(process.arch === 'x64' && isa.includes('avx2'))('bf16_peak.c', () => {
  let dir = '';
  let binary = '';
  let fmaBinary = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bf16-peak-'));
    binary = join(dir, 'bf16_peak');
    fmaBinary = join(dir, 'fma_peak');
    for (const [out, name] of [[binary, 'bf16_peak'], [fmaBinary, 'fma_peak']]) {
      execFileSync('gcc', ['-O2', '-march=native', '-pthread', '-Wall', '-Werror', '-o', out, join(peakDir, `${name}.c`)]);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures bf16 exactly when the CPU lists avx512_bf16, beside the widest float32 FMA', () => {
    const run = spawnSync(binary, ['1', '0.02', '3'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as Bf16PeakOutput & { fp32_gflops: number[]; bf16_gflops: number[] | null; ratio: number[] | null };
    expect(out.fp32_isa).toBe(isa.includes('avx512f') ? 'avx512 zmm FMA' : 'avx2 ymm FMA');
    expect(out.fp32_gflops).toHaveLength(3);
    for (const x of out.fp32_gflops) expect(x).toBeGreaterThan(0);
    const sorted = [...out.fp32_gflops].sort((a, b) => a - b);
    // The median is printed with %.4g and the samples with %.3f: equal within half a unit of the
    // median's 4th significant digit plus half a unit of the samples' 3rd decimal.
    const halfUlp4 = 0.5 * 10 ** (Math.floor(Math.log10(sorted[1])) - 3);
    expect(Math.abs(out.fp32_gflops_median - sorted[1])).toBeLessThanOrEqual(halfUlp4 + 0.0005 + 1e-9);
    if (isa.includes('avx512_bf16')) {
      // Exit status 0 also means every chain sum came out exactly 1920 (the program checks).
      expect(out.bf16_reason).toBeNull();
      expect(out.bf16_gflops).toHaveLength(3);
      out.ratio!.forEach((r, i) => expect(r).toBeCloseTo(out.bf16_gflops![i] / out.fp32_gflops[i], 2));
    } else {
      expect(out.bf16_gflops).toBeNull();
      expect(out.ratio_median).toBeNull();
      expect(out.bf16_reason).toMatch(/AVX512_BF16/);
      expect(run.stderr).toMatch(/bf16_peak: .*AVX512_BF16.*null/);
    }
  });

  it('fma_peak reports AVX-512 exactly when the CPU lists avx512f, and AVX2 always', () => {
    const run = spawnSync(fmaBinary, ['1', '0.02'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { avx512_gflops: number | null; avx2_gflops: number; chains_avx2: number };
    expect(out.avx2_gflops).toBeGreaterThan(0);
    expect(out.chains_avx2).toBe(12);
    if (isa.includes('avx512f')) expect(out.avx512_gflops).toBeGreaterThan(0);
    else expect(out.avx512_gflops).toBeNull();
  });

  it('refuses bad arguments, naming what it expected', () => {
    const run = spawnSync(binary, ['1', '0', '3'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('bf16_peak: expected [threads 1..64] [seconds > 0] [rounds 1..1000], got 1 0 3');
  });
});

describe('bf16PeakMetrics', () => {
  const base: Bf16PeakOutput = {
    fp32_isa: 'avx512 zmm FMA', fp32_gflops_median: 540, fp32_gflops_spread: 0.02,
    bf16_gflops_median: 1000, bf16_gflops_spread: 0.05, ratio_median: 1.9, ratio_spread: 0.04, bf16_reason: null,
  };

  it('gives the bf16 rate per core and the same-round ratio', () => {
    const m = bf16PeakMetrics(base, 2);
    expect(m.map((x) => [x.key, x.value, x.spread])).toEqual([
      ['peak.bf16_dot.t2', 500, 0.05],
      ['peak.bf16_over_fp32.t2', 1.9, 0.04],
    ]);
    expect(m[1].label).toContain('avx512 zmm FMA');
  });

  it('gives no rows when the CPU has no AVX512_BF16', () => {
    const none = { ...base, bf16_gflops_median: null, bf16_gflops_spread: null, ratio_median: null, ratio_spread: null, bf16_reason: 'no VDPBF16PS' };
    expect(bf16PeakMetrics(none, 1)).toEqual([]);
  });
});

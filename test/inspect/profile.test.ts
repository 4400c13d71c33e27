// profileStep: the op times of one step account for the step's measured time, and the
// instrumentation costs little next to an uninstrumented step. measuredPeak: the machine's
// ceilings read from bench output written here, in a temporary package root.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Generator, rand, setBackend, useBackend } from '../../src/index.js';
import { denseAutoencoder } from '../../src/models/dense-autoencoder.js';
import { mseLoss } from '../../src/losses/regression.js';
import { Adam } from '../../src/optim/index.js';
import { formatProfile, profileStep } from '../../src/inspect/profiler.js';
import { traceStep } from '../../src/inspect/step-trace.js';
import { DEFAULT_PEAK, measuredPeak } from '../../src/inspect/peak.js';
import { probeNative, probedBackend } from '../backend-probe.js';

const native = probeNative();

const loss = (p: Parameters<typeof mseLoss>[0], t: Parameters<typeof mseLoss>[1]) => mseLoss(p, t);

function setup(batch: number) {
  const model = denseAutoencoder({ generator: new Generator(1) });
  const x = rand([batch, 784], { generator: new Generator(2) });
  return { model, x, optimizer: new Adam(model.parameters()) };
}

describe('profileStep', () => {
  it("adds up to the step's time on js, dominated by the matmuls", async () => {
    setBackend('js');
    const { model, x, optimizer } = setup(64);
    const p = await profileStep(model, loss, x, x, optimizer, { warmup: 1, steps: 5 });
    // The rows (kernels per op, the time outside kernels, the read-back) partition the step.
    const sum = p.rows.reduce((a, r) => a + r.ms, 0);
    expect(Math.abs(sum - p.stepMs)).toBeLessThan(1e-6 * p.stepMs + 1e-9);
    expect(p.kernelMs + p.overheadMs + p.syncMs).toBeCloseTo(p.stepMs, 9);
    // Stated share: on js the kernels are at least 60% of a step of the dense autoencoder.
    expect(p.kernelMs / p.stepMs).toBeGreaterThan(0.6);
    // The instrumentation is cheap: the instrumented step's median is under twice the
    // uninstrumented one's (loose, as other test files share the two cores).
    expect(p.stepMs).toBeLessThan(2 * p.baselineMs!);
    // Forward linear: 4 fused matmuls, 2·64·(784·64 + 64·32 + 32·64 + 64·784) FLOPs plus epilogues.
    const fwd = p.rows.find((r) => r.op === 'forward linear')!;
    expect(fwd.calls).toBe(4);
    const matmulFlops = 2 * 64 * (784 * 64 + 64 * 32 + 32 * 64 + 64 * 784);
    // The cost model's epilogue: one add per output for the bias, relu 1 and sigmoid 3 per output.
    const epilogue = 64 * (64 + 32 + 64 + 784) + 64 * (64 + 32 + 64) + 3 * 64 * 784;
    expect(fwd.flops).toBe(matmulFlops + epilogue);
    expect(fwd.gflops).toBeCloseTo(fwd.flops / (fwd.ms / 1e3) / 1e9, 6);
    // Sorted by time; the shares sum to one.
    for (let i = 1; i < p.rows.length; i++) expect(p.rows[i - 1].ms).toBeGreaterThanOrEqual(p.rows[i].ms);
    expect(p.rows.reduce((a, r) => a + r.share, 0)).toBeCloseTo(1, 6);
    expect(formatProfile(p)).toContain('outside kernels (engine overhead)');
  });

  it('times a step no longer than the wall clock around it', async () => {
    setBackend('js');
    const { model, x, optimizer } = setup(32);
    const t0 = performance.now();
    const step = await traceStep(model, loss, x, x, optimizer);
    const wall = performance.now() - t0;
    expect(step.totalMs).toBeLessThanOrEqual(wall);
    expect(step.totalMs).toBeGreaterThan(0);
  });

  // Outside CI a machine without the addon skips this (and says why); under CI it must be built.
  it.skipIf(native.skip)('profiles the native backend when it is built', async () => {
    await useBackend(probedBackend(native, 'native').name);
    try {
      const { model, x, optimizer } = setup(64);
      const p = await profileStep(model, loss, x, x, optimizer, { warmup: 2, steps: 3, peak: DEFAULT_PEAK });
      expect(p.backend).toBe('native');
      expect(p.rows.reduce((a, r) => a + r.ms, 0)).toBeCloseTo(p.stepMs, 6);
      const fwd = p.rows.find((r) => r.op === 'forward linear')!;
      expect(fwd.peakFraction).toBeGreaterThan(0);
    } finally {
      setBackend('js');
    }
  });
});

describe('measuredPeak', () => {
  let root = '';
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'tessera-peak-')); });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const benchFile = (name: string, metrics: Record<string, number> | string) => {
    mkdirSync(join(root, 'bench', 'out'), { recursive: true });
    const text = typeof metrics === 'string' ? metrics
      : JSON.stringify({ results: [{ name: 'peak', metrics: Object.entries(metrics).map(([key, value]) => ({ key, value })) }] });
    writeFileSync(join(root, 'bench', 'out', name), text);
  };

  it('is null without bench/out (CI, a fresh clone), so profiles use the default peak', () => {
    expect(measuredPeak(root)).toBeNull();
    benchFile('bench-2026-01-01.json', { 'gemm.native.gflops': 50 });  // no peak metrics
    expect(measuredPeak(root)).toBeNull();
  });

  it('reads the newest bench output that holds the peak, skipping unreadable and peakless files', () => {
    benchFile('bench-2026-01-01.json', { 'peak.fma_avx2.t1': 80, 'peak.triad.t1': 12 });
    benchFile('bench-2026-02-01.json', { 'peak.fma_avx512.t1': 150, 'peak.fma_avx2.t1': 90, 'peak.triad.t1': 20 });
    benchFile('bench-2026-03-01.json', { 'gemm.native.gflops': 50 });
    benchFile('bench-2026-04-01.json', '{ not json');
    benchFile('notes.json', { 'peak.fma_avx512.t1': 999 });  // not a bench-*.json file
    // AVX-512's FMA rate is preferred to AVX2's in the same file.
    expect(measuredPeak(root)).toEqual({ gflopsPerCore: 150, gbps: 20, source: `measured by bench/peak (${join('bench', 'out', 'bench-2026-02-01.json')})` });
    // Without a triad figure the bandwidth is the default's.
    benchFile('bench-2026-05-01.json', { 'peak.fma_avx2.t1': 70 });
    expect(measuredPeak(root)).toMatchObject({ gflopsPerCore: 70, gbps: DEFAULT_PEAK.gbps });
  });
});

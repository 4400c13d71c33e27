// profileStep: the op times of one step account for the step's measured time, and the
// instrumentation costs little next to an uninstrumented step.
import { describe, expect, it } from 'vitest';
import { Generator, availableBackends, rand, setBackend, useBackend } from '../../src/index.js';
import { denseAutoencoder } from '../../src/models/dense-autoencoder.js';
import { mseLoss } from '../../src/losses/regression.js';
import { Adam } from '../../src/optim/index.js';
import { formatProfile, profileStep } from '../../src/inspect/profiler.js';
import { traceStep } from '../../src/inspect/step-trace.js';
import { DEFAULT_PEAK, measuredPeak } from '../../src/inspect/peak.js';

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

  it('profiles the native backend when it is built', async () => {
    if (!availableBackends().find((b) => b.name === 'native')?.available) return;
    await useBackend('native');
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

  it('reads the measured peak from the benchmark output when there is one', () => {
    const peak = measuredPeak();
    if (peak === null) return;
    expect(peak.gflopsPerCore).toBeGreaterThan(1);
    expect(peak.source).toMatch(/bench\/out\/bench-.*\.json/);
  });
});

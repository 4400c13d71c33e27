// The family benchmark's definitions (bench/tessera/workloads.ts and its PyTorch twins in
// bench/peers/torch_models.py): each tessera model has the parameter count its layers imply,
// counted here by hand from the layer list, and the same count as its PyTorch twin;
// the command lines parse; the rounds shape into the table's rows.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Generator, setBackend, tensor } from '../../src/index.js';
import { WORKLOADS, WORKLOAD_TABLE, parseWorkloads, workload } from '../../bench/tessera/workloads.js';
import { buildWorkloadModel, workloadRows } from '../../bench/tessera/workload-model.js';
import { parseW1ChildArgs } from '../../bench/tessera/w1-args.js';
import { parseBenchArgs } from '../../bench/tessera/run-args.js';
import { engineRun, familyMetrics, type FamilyPair } from '../../bench/tessera/family.js';
import { stepFlopsSummary } from '../../bench/tessera/step-flops.js';
import { convAutoencoderShapes } from '../../bench/tessera/conv-shapes.js';
import { runPython } from '../../bench/harness/python.js';
import { peersDir } from '../../bench/harness/paths.js';

// weights + biases of the layers, from the list
const linear = (i: number, o: number) => i * o + o;
const conv = (i: number, o: number, k = 3) => i * o * k * k + o; // Conv2d and ConvTranspose2d alike
const dense = linear(784, 64) + linear(64, 32) + linear(32, 64) + linear(64, 784);
const EXPECTED: Record<string, number> = {
  W1: dense,
  W2: conv(1, 16) + conv(16, 8) + linear(392, 32) + linear(32, 392) + conv(8, 8) + conv(8, 16) + conv(16, 1),
  W3: linear(784, 256) + linear(256, 64) + linear(32, 256) + linear(256, 784),
  W4: dense,
  W5: dense,
};

const count = (id: string) => buildWorkloadModel(workload(id), new Generator(0)).model.parameters().reduce((s, p) => s + p.size, 0);

describe('bench/tessera/workloads', () => {
  setBackend('js');

  it('each tessera model has the parameters its layers imply', () => {
    for (const id of WORKLOADS) expect([id, count(id)]).toEqual([id, EXPECTED[id]]);
    expect(EXPECTED.W2).toBe(28_729);
  });

  it('the conv model maps [n, 1, 28, 28] to a code of 32 and back', () => {
    const { model } = buildWorkloadModel(WORKLOAD_TABLE.W2, new Generator(1));
    const x = tensor(new Float32Array(2 * 784).fill(0.5), [2, 1, 28, 28]);
    const z = model.encode(x);
    expect(z.shape).toEqual([2, 32]);
    expect(model.decode(z).shape).toEqual([2, 1, 28, 28]);
  });

  it('W2\'s layer sizes for the kernel benchmarks follow the table and the model (bench/tessera/conv-shapes.ts)', () => {
    const w2 = convAutoencoderShapes(WORKLOAD_TABLE.W2);
    expect(w2).toMatchObject({ inChannels: 1, sides: [28, 14, 7], channels: [16, 8], latent: 32, flat: 392, activation: 'relu', output: 'sigmoid' });
    const { model } = buildWorkloadModel(WORKLOAD_TABLE.W2, new Generator(0));
    expect(w2.parameterSizes).toEqual(model.parameters().map((p) => p.size));
    // A changed table changes the sizes: 3 channels of 12×12, levels of 4 and 6, a latent of 5.
    const other = { ...WORKLOAD_TABLE.W2, architecture: { builder: 'convAutoencoder' as const,
      options: { inputShape: [3, 12, 12] as [number, number, number], channels: [4, 6], latent: 5, activation: 'tanh' as const, output: 'none' as const } } };
    const s = convAutoencoderShapes(other);
    expect(s).toMatchObject({ inChannels: 3, sides: [12, 6, 3], channels: [4, 6], latent: 5, flat: 54, activation: 'tanh', output: 'none' });
    expect(s.parameterSizes).toEqual(buildWorkloadModel(other, new Generator(0)).model.parameters().map((p) => p.size));
    expect(() => convAutoencoderShapes(WORKLOAD_TABLE.W1)).toThrow(/W1 is built by denseAutoencoder, expected convAutoencoder/);
    const threeLevels = { ...other, architecture: { builder: 'convAutoencoder' as const, options: { channels: [4, 4, 4], latent: 5 } } };
    expect(() => convAutoencoderShapes(threeLevels)).toThrow(/expected two levels .* got channels \[4, 4, 4\], input 28×28/);
  });

  it('the PyTorch twins have the same parameter counts (torch_w1.py --param-counts)', async () => {
    const r = await runPython('torch', join(peersDir(), 'torch_w1.py'), ['--param-counts'], { timeoutMs: 120_000 });
    expect(r.status, `${r.reason ?? ''} ${r.stderrTail}`).toBe('ok');
    expect((r.results as { param_counts: Record<string, number> }).param_counts).toEqual(EXPECTED);
  }, 120_000);

  it('names workloads and lists', () => {
    expect(workload('w3').id).toBe('W3');
    expect(() => workload('W9', 'x')).toThrow("x: unknown workload 'W9'; expected one of W1, W2, W3, W4, W5");
    expect(parseWorkloads('W5, w2,W5', 'f')).toEqual(['W2', 'W5']);
    expect(parseWorkloads('all', 'f')).toEqual(['W1', 'W2', 'W3', 'W4', 'W5']);
    expect(() => parseWorkloads(undefined, 'f')).toThrow(/f: expected a comma-separated list/);
    expect(() => parseWorkloads(' , ', 'f')).toThrow(/at least one workload/);
  });

  it('sees the rows of a data set in the workload shape, limited', () => {
    const seen: number[][] = [];
    const data = { length: 10, featureShape: [784], readRows: (i: ArrayLike<number>) => { seen.push(Array.from(i)); } };
    const v = workloadRows(data, 4, [1, 28, 28]);
    expect([v.length, v.featureShape]).toEqual([4, [1, 28, 28]]);
    v.readRows([3, 1], new Float32Array(2 * 784));
    expect(seen).toEqual([[3, 1]]);
    expect(workloadRows(data, 0, [784])).toBe(data);
    expect(workloadRows(data, 99, [784]).length).toBe(10);
    expect(() => workloadRows(data, 0, [1, 28, 27])).toThrow(/rows of \[784\] cannot be seen as \[1, 28, 27\]/);
  });
});

describe('family command lines', () => {
  it('the child takes --workload', () => {
    expect(parseW1ChildArgs(['--workload', 'w2', '--limit', '12000'])).toMatchObject({ workload: 'W2', limit: 12_000 });
    expect(parseW1ChildArgs([]).workload).toBe('W1');
    expect(() => parseW1ChildArgs(['--workload', 'W0'])).toThrow(/--workload: unknown workload 'W0'/);
  });

  it('npm run bench takes --family and --rounds', () => {
    const a = parseBenchArgs(['--family', 'W3,W2', '--rounds', '2', '--threads', '1']);
    expect([a.family, a.rounds, a.opts.threads]).toEqual([['W2', 'W3'], 2, [1]]);
    expect(parseBenchArgs(['--family', 'all']).family).toEqual([...WORKLOADS]);
    expect(() => parseBenchArgs(['--family'])).toThrow(/--family: expected a comma-separated list/);
    expect(() => parseBenchArgs(['--rounds', '0'])).toThrow(/--rounds expects positive integers/);
  });
});

describe('family result shaping', () => {
  const pair = (threads: number, seed: number, te: number, to: number, lte: number, lto: number): FamilyPair =>
    ({ threads, seed, tessera: { secondsPerEpoch: te, testLoss: lte }, torch: { secondsPerEpoch: to, testLoss: lto } });
  const pairs = [
    pair(1, 0, 2, 3, 0.02, 0.021), pair(1, 1, 4, 4, 0.03, 0.029), pair(1, 2, 2.5, 5, 0.025, 0.025),
    pair(2, 0, 1, 2, 0.02, 0.02),
  ];

  it('gives per thread count the medians, the median of the round ratios, and the mean test losses', () => {
    const m = Object.fromEntries(familyMetrics(WORKLOAD_TABLE.W2, pairs, 2, 12_000).map((x) => [x.key, x]));
    expect(m['w2.tessera_seconds_per_epoch.t1']).toMatchObject({ value: 2.5, spread: (4 - 2) / 2.5, unit: 's' });
    expect(m['w2.torch_seconds_per_epoch.t1'].value).toBe(4);
    // ratios torch / tessera: 1.5, 1, 2 → median 1.5, spread (2 - 1) / 1.5
    expect(m['w2.speedup.t1'].value).toBe(1.5);
    expect(m['w2.speedup.t1'].spread).toBeCloseTo(1 / 1.5, 12);
    expect(m['w2.speedup.t1'].note).toBe('3 rounds, 12000 training rows, 2 epochs');
    expect(m['w2.speedup.t2'].value).toBe(2);
    expect(m['w2.tessera_test_loss.e2'].value).toBeCloseTo((0.02 + 0.03 + 0.025 + 0.02) / 4, 12);
    expect(m['w2.torch_test_loss.e2'].value).toBeCloseTo((0.021 + 0.029 + 0.025 + 0.02) / 4, 12);
    expect(m['w2.test_loss_ratio.e2'].value).toBeCloseTo(0.095 / 0.095, 12);
    expect(m['w2.tessera_test_loss.e2'].note).toMatch(/seeds 0,1,2$/);
    expect(() => familyMetrics(WORKLOAD_TABLE.W2, [], 2, 1)).toThrow(/no rounds of W2/);
  });

  it('reads a run from either engine and refuses output without its figures', () => {
    expect(engineRun({ seconds_per_epoch: { median: 1.5 }, test_loss: [0.3, 0.2] }, 'torch')).toEqual({ secondsPerEpoch: 1.5, testLoss: 0.2 });
    expect(() => engineRun({ seconds_per_epoch: { median: 1.5 }, test_mse: [0.2] }, 'torch')).toThrow(/torch printed no seconds_per_epoch.median and test_loss/);
  });

  it('states the step FLOPs and the share of the peak', () => {
    // 4.4 MFLOP per image × 256 = 1126.4 MFLOP in 100 ms → 11.264 GFLOP/s; over a peak of 112.64: 10%
    const lines = stepFlopsSummary({ matmulFlops: 4.4e6 * 256, matmulMs: 50, stepMs: 100, batch: 256, peakGflops: { gflops: 112.64, isa: 'AVX2' } });
    expect(lines).toEqual([
      'matmul and conv FLOPs per step: 1126.4 MFLOP (4.40 MFLOP per image)',
      'step: 100.00 ms wall (instrumented), 11.3 GFLOP/s = 10.0% of the measured AVX2 FMA peak (112.6 GFLOP/s)',
      'matmuls and convs alone: 50.00 ms, 22.5 GFLOP/s = 20.0% of the measured AVX2 FMA peak (112.6 GFLOP/s)',
    ]);
    expect(stepFlopsSummary({ matmulFlops: 1e6, matmulMs: 0, stepMs: 1, batch: 1, peakGflops: null })[1]).toMatch(/FMA peak not measured/);
    expect(() => stepFlopsSummary({ matmulFlops: 1, matmulMs: 1, stepMs: 0, batch: 1, peakGflops: null })).toThrow(/expected stepMs > 0/);
  });
});

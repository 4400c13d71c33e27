// kNN and reconstruction metrics against hand-derived values and a brute-force reference.
import { describe, expect, test } from 'vitest';
import { Generator, fromTyped } from '../../src/index.js';
import { knnAccuracy, knnPredict } from '../../src/eval/knn.js';
import { accuracy, meanImagePsnr, meanSquaredError, psnr } from '../../src/eval/metrics.js';

describe('metrics', () => {
  test('MSE and PSNR by hand', () => {
    expect(meanSquaredError([0, 0.5, 1, 1], [0, 0, 1, 0])).toBeCloseTo((0.25 + 1) / 4, 12);
    expect(psnr(0.01)).toBeCloseTo(20, 12);            // 10·log10(1/0.01)
    expect(psnr(0.04, 2)).toBeCloseTo(20, 12);         // 10·log10(4/0.04)
    expect(psnr(0)).toBe(Infinity);
    // Two images with MSE 0.01 and 0.0001: 20 dB and 40 dB, mean 30.
    expect(meanImagePsnr([0.1, 0.1, 0.01, 0.01], [0, 0, 0, 0], 2)).toBeCloseTo(30, 10);
    expect(accuracy([1, 2, 3, 4], [1, 2, 0, 4])).toBe(0.75);
    expect(() => meanSquaredError([1], [1, 2])).toThrow(/differ in length \(1 vs 2\)/);
  });
});

describe('knn', () => {
  test('well-separated blobs are classified perfectly', async () => {
    const gen = new Generator(5);
    const centres = [[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10]];
    const make = (n: number) => {
      const x = new Float32Array(n * 3), y = new Int32Array(n);
      for (let i = 0; i < n; i++) { y[i] = i % 4; for (let k = 0; k < 3; k++) x[i * 3 + k] = centres[y[i]][k] + gen.normal(); }
      return { x: fromTyped(x, [n, 3]), y };
    };
    const train = make(400), test = make(200);
    expect(await knnAccuracy(train.x, train.y, test.x, test.y, { k: 5, batchRows: 37 })).toBe(1);
  });

  test('matches a brute-force kNN on overlapping classes', async () => {
    const gen = new Generator(6);
    const n = 300, m = 120, d = 4, k = 5;
    const xt = Float32Array.from({ length: n * d }, () => gen.normal());
    const yt = Int32Array.from({ length: n }, (_, i) => (xt[i * d] > 0 ? 1 : 0) + (xt[i * d + 1] > 0.5 ? 1 : 0));
    const xq = Float32Array.from({ length: m * d }, () => gen.normal());
    const got = await knnPredict(fromTyped(xt, [n, d]), yt, fromTyped(xq, [m, d]), { k, batchRows: 50 });
    for (let q = 0; q < m; q++) {
      const dist = Array.from({ length: n }, (_, j) => {
        let s = 0;
        for (let c = 0; c < d; c++) s += (xq[q * d + c] - xt[j * d + c]) ** 2;
        return { s, label: yt[j] };
      }).sort((a, b) => a.s - b.s).slice(0, k);
      const votes = new Map<number, number>();
      for (const e of dist) votes.set(e.label, (votes.get(e.label) ?? 0) + 1);
      const top = Math.max(...votes.values());
      const winner = dist.find((e) => votes.get(e.label) === top)!.label;   // tie → nearest class
      expect(got[q], `query ${q}`).toBe(winner);
    }
  });

  test('rejects mismatched shapes and k', async () => {
    const a = fromTyped(new Float32Array(6), [3, 2]);
    await expect(knnPredict(a, [0, 1, 2], fromTyped(new Float32Array(3), [1, 3]))).rejects.toThrow(/same d/);
    await expect(knnPredict(a, [0, 1, 2], a, { k: 4 })).rejects.toThrow(/k must be an integer in \[1, 3\]/);
  });
});

describe('linearProbeAccuracy', () => {
  test('separates linearly separable classes and not XOR-labelled ones', async () => {
    const { linearProbeAccuracy } = await import('../../src/eval/linear-probe.js');
    const gen = new Generator(7);
    const make = (n: number, label: (a: number, b: number) => number) => {
      const x = new Float32Array(n * 2), y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const a = gen.uniform() * 2 - 1, b = gen.uniform() * 2 - 1;
        x[2 * i] = a; x[2 * i + 1] = b; y[i] = label(a, b);
      }
      return { x, y };
    };
    // Three classes split by lines through the plane, with a margin: a linear model gets them all.
    const lin = (a: number, b: number) => (a + b > 0.1 ? 2 : a - b > 0.1 ? 1 : 0);
    const keep = (a: number, b: number) => Math.abs(a + b - 0.1) > 0.05 && Math.abs(a - b - 0.1) > 0.05;
    const filter = (s: { x: Float32Array; y: Int32Array }) => {
      const idx = [...s.y.keys()].filter((i) => keep(s.x[2 * i], s.x[2 * i + 1]));
      return { x: Float32Array.from(idx.flatMap((i) => [s.x[2 * i], s.x[2 * i + 1]])), y: Int32Array.from(idx.map((i) => s.y[i])) };
    };
    const tr = filter(make(3000, lin)), te = filter(make(500, lin));
    expect(await linearProbeAccuracy(tr.x, tr.y, te.x, te.y, 2, { epochs: 30, lr: 0.05 })).toBeGreaterThan(0.97);
    // XOR: no line does better than about half.
    const xor = (a: number, b: number) => (a * b > 0 ? 1 : 0);
    const tx = make(2000, xor), ex = make(1000, xor);
    expect(await linearProbeAccuracy(tx.x, tx.y, ex.x, ex.y, 2, { epochs: 10 })).toBeLessThan(0.65);
  });
});

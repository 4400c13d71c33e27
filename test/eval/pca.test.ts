// PCA and its eigensolver against values derived independently: a matrix built from a known
// eigen-decomposition, a power-iteration reference, and the theory of low-rank + noise data.
import { describe, expect, test } from 'vitest';
import { Generator, fromTyped } from '../../src/index.js';
import { symmetricEigen } from '../../src/eval/symmetric-eigen.js';
import { fitPca } from '../../src/eval/pca.js';

/** A random orthonormal basis (rows) by Gram–Schmidt on Gaussian vectors. */
function orthonormalRows(gen: Generator, rows: number, d: number): Float64Array {
  const u = new Float64Array(rows * d);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < d; k++) u[i * d + k] = gen.normal();
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += u[i * d + k] * u[j * d + k];
      for (let k = 0; k < d; k++) u[i * d + k] -= dot * u[j * d + k];
    }
    let norm = 0;
    for (let k = 0; k < d; k++) norm += u[i * d + k] ** 2;
    for (let k = 0; k < d; k++) u[i * d + k] /= Math.sqrt(norm);
  }
  return u;
}

/** Top eigenpairs by power iteration with deflation (the slow textbook method). */
function powerIteration(a: Float64Array, n: number, count: number): { values: number[]; vectors: Float64Array[] } {
  const m = Float64Array.from(a);
  const values: number[] = [], vectors: Float64Array[] = [];
  for (let p = 0; p < count; p++) {
    let v = new Float64Array(n).map((_, i) => 1 + Math.sin(i + p));
    let lambda = 0;
    for (let it = 0; it < 5000; it++) {
      const w = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) w[i] += m[i * n + k] * v[k];
      const norm = Math.hypot(...w);
      lambda = w.reduce((s, x, i) => s + x * v[i], 0);
      v = w.map((x) => x / norm);
    }
    values.push(lambda);
    vectors.push(v);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) m[i * n + k] -= lambda * v[i] * v[k];
  }
  return { values, vectors };
}

describe('symmetricEigen', () => {
  test('recovers the eigenpairs of a matrix built from known ones', () => {
    const gen = new Generator(1);
    const n = 40;
    const u = orthonormalRows(gen, n, n);
    const lambda = Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * (n - i) * 0.5);   // distinct, mixed sign
    const a = new Float64Array(n * n);
    for (let p = 0; p < n; p++) for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) a[i * n + k] += lambda[p] * u[p * n + i] * u[p * n + k];
    const { values, vectors } = symmetricEigen(a, n);
    const sorted = [...lambda].sort((x, y) => y - x);
    values.forEach((v, i) => expect(v).toBeCloseTo(sorted[i], 10));
    // Each returned vector is ± the constructing vector of its eigenvalue.
    for (let i = 0; i < n; i++) {
      const p = lambda.indexOf(sorted[i]);
      let dot = 0;
      for (let k = 0; k < n; k++) dot += vectors[i * n + k] * u[p * n + k];
      expect(Math.abs(dot)).toBeCloseTo(1, 10);
    }
  });

  test('matches power iteration on a random covariance', () => {
    const gen = new Generator(2);
    const n = 12, rows = 50;
    const x = Array.from({ length: rows * n }, () => gen.normal());
    const c = new Float64Array(n * n);
    for (let r = 0; r < rows; r++) for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) c[i * n + k] += x[r * n + i] * x[r * n + k] / rows;
    const ref = powerIteration(c, n, 3);
    const { values, vectors } = symmetricEigen(c, n);
    for (let p = 0; p < 3; p++) {
      expect(values[p]).toBeCloseTo(ref.values[p], 8);
      const dot = ref.vectors[p].reduce((s, v, k) => s + v * vectors[p * n + k], 0);
      expect(Math.abs(dot)).toBeCloseTo(1, 6);
    }
  });

  test('rejects a non-symmetric or wrongly sized matrix', () => {
    expect(() => symmetricEigen([1, 2, 3, 4], 2)).toThrow(/not symmetric.*\(0, 1\)/);
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(/expected 2×2 = 4 values, got 3/);
  });

  test('784 dimensions: the eigenvalues sum to the trace (its speed lives in bench/, not here)', () => {
    const gen = new Generator(3);
    const n = 784;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) { const v = gen.normal(); a[i * n + j] = v; a[j * n + i] = v; }
    const { values } = symmetricEigen(a, n);
    let trace = 0, sum = 0;
    for (let i = 0; i < n; i++) { trace += a[i * n + i]; sum += values[i]; }
    expect(sum).toBeCloseTo(trace, 6);   // the trace is the sum of the eigenvalues
  });
});

describe('fitPca', () => {
  // Rows x = μ + z·U + σ·ε with z ~ N(0, diag(s²)) in r dims, U orthonormal [r, d], ε ~ N(0, I).
  const d = 20, r = 3, sigma = 0.1, stds = [3, 2, 1.5];
  function lowRank(gen: Generator, u: Float64Array, n: number): Float32Array {
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const z = stds.map((s) => s * gen.normal());
      for (let k = 0; k < d; k++) {
        let v = 5 + 0.1 * k + sigma * gen.normal();
        for (let p = 0; p < r; p++) v += z[p] * u[p * d + k];
        x[i * d + k] = v;
      }
    }
    return x;
  }

  test('low-rank + noise: eigenvalues, subspace and reconstruction error as the theory says', async () => {
    const gen = new Generator(4);
    const u = orthonormalRows(gen, r, d);
    const n = 6000;
    const train = fromTyped(lowRank(gen, u, n), [n, d]);
    const test = fromTyped(lowRank(gen, u, 4000), [4000, d]);
    const pca = await fitPca(train, r, { chunkRows: 1000 });
    // Population covariance eigenvalues: s² + σ² on U, σ² elsewhere.
    stds.forEach((s, p) => expect(pca.eigenvalues[p]).toBeCloseTo(s * s + sigma * sigma, 0));
    expect(Math.abs(pca.eigenvalues[r] / (sigma * sigma) - 1)).toBeLessThan(0.15);
    // The components span U: each u_p projects onto them with norm ≈ 1.
    for (let p = 0; p < r; p++) {
      let norm2 = 0;
      for (let q = 0; q < r; q++) {
        let dot = 0;
        for (let k = 0; k < d; k++) dot += u[p * d + k] * pca.components[q * d + k];
        norm2 += dot * dot;
      }
      expect(norm2).toBeGreaterThan(0.999);
    }
    // Held-out reconstruction MSE per element: the d − r discarded noise directions, (d − r)σ²/d.
    const recon = pca.reconstruct(test);
    const xt = test.dataSync(), xr = recon.dataSync();
    let se = 0;
    for (let i = 0; i < xt.length; i++) se += (xt[i] - xr[i]) ** 2;
    expect(Math.abs(se / xt.length / (((d - r) * sigma * sigma) / d) - 1)).toBeLessThan(0.05);
    // On the training rows it equals the discarded eigenvalues exactly: Σ_{i≥r} λᵢ·(n − 1)/n / d.
    const rt = pca.reconstruct(train).dataSync(), xtr = train.dataSync();
    let seTrain = 0;
    for (let i = 0; i < xtr.length; i++) seTrain += (xtr[i] - rt[i]) ** 2;
    let discarded = 0;
    for (let i = r; i < d; i++) discarded += pca.eigenvalues[i];
    expect(seTrain / xtr.length).toBeCloseTo((discarded * (n - 1)) / n / d, 5);
    // Codes have the variances of the kept eigenvalues.
    const codes = pca.transform(train).dataSync();
    let v0 = 0;
    for (let i = 0; i < n; i++) v0 += codes[i * r] ** 2;
    expect(v0 / (n - 1)).toBeCloseTo(pca.eigenvalues[0], 2);
    // (Σs² + rσ²) / (Σs² + dσ²) = 15.28 / 15.45
    expect(pca.totalExplainedVarianceRatio()).toBeCloseTo(15.28 / 15.45, 2);
    pca.dispose();
  });

  test('rejects bad arguments with the expected values named', async () => {
    const x = fromTyped(new Float32Array(12), [4, 3]);
    await expect(fitPca(x, 4)).rejects.toThrow(/components must be an integer in \[1, 3\].*got 4/);
    await expect(fitPca(fromTyped(new Float32Array(3), [1, 3]), 1)).rejects.toThrow(/at least 2 rows/);
    const pca = await fitPca(fromTyped(Float32Array.from({ length: 12 }, (_, i) => (i * 7) % 5), [4, 3]), 2);
    expect(() => pca.transform(fromTyped(new Float32Array(8), [2, 4]))).toThrow(/Pca.transform: expected rows of 3 values/);
  });
});

describe('the evaluation in the public API', () => {
  // Imported from the package's entry point, as a Node app would.
  const api = () => import('../../src/index.js');

  test('PCA: inverse∘transform is the identity on in-span data; explained variance as a float64 reference says', async () => {
    const { fitPca: fit } = await api();
    const gen = new Generator(21);
    const d = 10, r = 3, n = 200;
    const u = orthonormalRows(gen, r, d);
    const stds = [4, 2, 1];
    // x = μ + z·U exactly: rank r around the mean, so k = r components reconstruct it.
    const x = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const z = stds.map((s) => s * gen.normal());
      for (let k = 0; k < d; k++) { x[i * d + k] = 0.5 + 0.01 * k; for (let p = 0; p < r; p++) x[i * d + k] += z[p] * u[p * d + k]; }
    }
    const xt = fromTyped(Float32Array.from(x), [n, d]);
    const pca = await fit(xt, r);
    const back = pca.inverseTransform(pca.transform(xt)).dataSync();
    let worst = 0;
    for (let i = 0; i < n * d; i++) worst = Math.max(worst, Math.abs(back[i] - x[i]));
    expect(worst).toBeLessThan(1e-4);
    // The reference: the float64 covariance of the same rows, its top eigenvalues by power iteration.
    const mu = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mu[k] += Math.fround(x[i * d + k]) / n;
    const c = new Float64Array(d * d);
    for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) c[a * d + b] += (Math.fround(x[i * d + a]) - mu[a]) * (Math.fround(x[i * d + b]) - mu[b]) / (n - 1);
    const ref = powerIteration(c, d, r);
    let trace = 0;
    for (let a = 0; a < d; a++) trace += c[a * d + a];
    const variance = pca.explainedVariance(), ratio = pca.explainedVarianceRatio();
    expect(variance).toHaveLength(r);
    for (let p = 0; p < r; p++) {
      expect(variance[p] / ref.values[p]).toBeCloseTo(1, 4);
      expect(ratio[p] / (ref.values[p] / trace)).toBeCloseTo(1, 4);
    }
    // In-span data: the r axes hold all the variance.
    expect(pca.totalExplainedVarianceRatio()).toBeCloseTo(1, 6);
    // Noisy data with every axis kept: the ratios sum to 1, in decreasing order.
    const noisy = fromTyped(Float32Array.from({ length: n * d }, () => gen.normal()), [n, d]);
    const all = await fit(noisy, d);
    const ratios = Array.from(all.explainedVarianceRatio());
    expect(ratios.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
    expect(ratios).toEqual([...ratios].sort((a, b) => b - a));
    pca.dispose(); all.dispose();
  });

  test('kNN on a hand-checked set', async () => {
    const { knnPredict: predict, knnAccuracy: acc, fromTyped: t } = await api();
    // Training points on a line: 0, 1 (class 0) and 10, 11, 12 (class 1).
    const train = t(Float32Array.from([0, 1, 10, 11, 12]), [5, 1]);
    const labels = [0, 0, 1, 1, 1];
    const queries = t(Float32Array.from([0.4, 10.6, 5]), [3, 1]);
    // k = 3: 0.4 → {0, 1, 10} → 0; 10.6 → {11, 10, 12} → 1; 5 → {1 (4), 0 (5), 10 (5)} → 0.
    expect(Array.from(await predict(train, labels, queries, { k: 3 }))).toEqual([0, 1, 0]);
    // k = 5: every query sees 2 votes for 0 and 3 for 1.
    expect(Array.from(await predict(train, labels, queries, { k: 5 }))).toEqual([1, 1, 1]);
    expect(await acc(train, labels, queries, [0, 1, 1], { k: 3 })).toBeCloseTo(2 / 3, 12);
  });

  test('reconstruction MSE and PSNR of tensors by the formula', async () => {
    const { reconstructionError: error, fromTyped: t } = await api();
    const x = t(Float32Array.from([0, 0, 1, 1]), [2, 2]);
    const xHat = t(Float32Array.from([0.1, 0.1, 1, 0.99]), [2, 2]);
    const r = await error(x, xHat);
    const se = [0.1 ** 2, 0.1 ** 2, 0, 0.01 ** 2];
    const mse = se.reduce((a, b) => a + b) / 4;
    expect(r.mse).toBeCloseTo(mse, 8);
    expect(r.psnr).toBeCloseTo(10 * Math.log10(1 / mse), 4);
    // Row 0: MSE 0.01 → 20 dB; row 1: MSE 0.00005 → 10·log10(20000) dB.
    expect(r.meanImagePsnr).toBeCloseTo((20 + 10 * Math.log10(1 / 0.00005)) / 2, 3);
    expect((await error(x, xHat, 2)).psnr).toBeCloseTo(10 * Math.log10(4 / mse), 4);
    await expect(error(x, t(new Float32Array(2), [1, 2]))).rejects.toThrow(/must have the same shape/);
  });

  test('the linear probe on tensors separates separable classes', async () => {
    const { linearProbe: probe, fromTyped: t } = await api();
    const gen = new Generator(22);
    const blobs = (n: number) => {
      const x = new Float32Array(n * 3), y = new Int32Array(n);
      for (let i = 0; i < n; i++) { y[i] = i % 3; for (let k = 0; k < 3; k++) x[i * 3 + k] = (k === y[i] ? 6 : 0) + gen.normal(); }
      return { x: t(x, [n, 3]), y };
    };
    const train = blobs(600), test = blobs(300);
    expect(await probe(train.x, train.y, test.x, test.y, { epochs: 20, batchSize: 32 })).toBeGreaterThan(0.99);   // Bayes error ~1e-5
    await expect(probe(train.x, train.y, t(new Float32Array(4), [2, 2]), [0, 1])).rejects.toThrow(/same d/);
  });

  test('src/eval imports the modules it uses, not the public API', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('../../src/eval/', import.meta.url);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && n !== 'index.ts')) {
      expect(readFileSync(new URL(f, dir), 'utf8'), f).not.toMatch(/from '\.\.\/index\.js'/);
    }
  });
});

// Principal component analysis: the linear baseline an autoencoder is measured against. With k
// components, PCA is the best rank-k linear reconstruction in squared error, so an autoencoder
// with a k-dimensional code must beat it to justify its non-linearity.
//
// Fit: μ = mean of the rows; C = (X − μ)ᵀ(X − μ) / (n − 1) computed with the engine's matmul on
// the current backend, a chunk of rows at a time and summed in float64 on the host; then the
// eigenvectors of C (src/eval/symmetric-eigen.ts). The top k, as rows of W [k, d], are the
// components. transform(x) = (x − μ)·Wᵀ, inverseTransform(z) = z·W + μ.
import type { Tensor } from '../tensor.js';
import type { Backend } from '../backend/backend.js';
import { fromTyped } from '../ops/creation.js';
import { matmulT } from '../ops/matmul.js';
import { mean } from '../ops/reduce.js';
import { slice } from '../ops/shape-ops.js';
import { add, sub } from '../ops/elementwise.js';
import { tidy } from '../memory.js';
import { symmetricEigen } from './symmetric-eigen.js';

export interface PcaFitOptions {
  /** Rows per covariance chunk (bounds the memory of the centred copy); default 8192. */
  chunkRows?: number;
}

export class Pca {
  private cache = new Map<Backend, { mean: Tensor; components: Tensor }>();

  constructor(
    /** d: the row mean of the training data. */
    readonly mean: Float32Array,
    /** k × d: the principal axes, in order of decreasing variance, unit length. */
    readonly components: Float32Array,
    readonly k: number,
    readonly d: number,
    /** All d eigenvalues of the covariance, descending: the variance along each axis. */
    readonly eigenvalues: Float64Array,
    /** How many rows the fit saw. */
    readonly samples: number,
  ) {}

  /**
   * The variance along each kept axis (sklearn's explained_variance_): the k largest eigenvalues
   * of the covariance (divisor n − 1), i.e. the variance of each column of transform(x) on the
   * training rows.
   */
  explainedVariance(): Float64Array {
    return this.eigenvalues.slice(0, this.k).map((v) => Math.max(v, 0));
  }

  /** Each kept axis's share of the total variance (sklearn's explained_variance_ratio_); sums to ≤ 1. */
  explainedVarianceRatio(): Float64Array {
    let total = 0;
    for (const v of this.eigenvalues) total += Math.max(v, 0);
    return this.explainedVariance().map((v) => (total > 0 ? v / total : 0));
  }

  /** The share of the variance the k axes keep together: Σ explainedVarianceRatio(). */
  totalExplainedVarianceRatio(): number {
    return this.explainedVarianceRatio().reduce((a, b) => a + b, 0);
  }

  private tensors(backend: Backend): { mean: Tensor; components: Tensor } {
    let t = this.cache.get(backend);
    if (!t) {
      t = {
        mean: fromTyped(this.mean, [1, this.d], { backend }).keep(),
        components: fromTyped(this.components, [this.k, this.d], { backend }).keep(),
      };
      this.cache.set(backend, t);
    }
    return t;
  }

  private check(op: string, x: Tensor, width: number): void {
    if (x.rank !== 2 || x.shape[1] !== width) {
      throw new Error(`Pca.${op}: expected rows of ${width} values [n, ${width}], got [${x.shape.join(', ')}]`);
    }
  }

  /** x [n, d] → codes [n, k] = (x − μ)·Wᵀ. */
  transform(x: Tensor): Tensor {
    this.check('transform', x, this.d);
    const { mean: mu, components } = this.tensors(x.backend);
    return tidy(() => matmulT(sub(x, mu), components, false, true));
  }

  /** codes [n, k] → reconstructions [n, d] = z·W + μ. */
  inverseTransform(z: Tensor): Tensor {
    this.check('inverseTransform', z, this.k);
    const { mean: mu, components } = this.tensors(z.backend);
    return tidy(() => add(matmulT(z, components, false, false), mu));
  }

  /** x [n, d] → its rank-k reconstruction [n, d]. */
  reconstruct(x: Tensor): Tensor {
    return tidy(() => this.inverseTransform(this.transform(x)));
  }

  /** Frees the cached device copies of μ and W. */
  dispose(): void {
    for (const t of this.cache.values()) { t.mean.dispose(); t.components.dispose(); }
    this.cache.clear();
  }
}

/** Fits PCA with `components` axes to the rows of x [n, d] (n ≥ 2). */
export async function fitPca(x: Tensor, components: number, options: PcaFitOptions = {}): Promise<Pca> {
  if (x.rank !== 2) throw new Error(`fitPca: expected a matrix of rows [n, d], got [${x.shape.join(', ')}]`);
  const [n, d] = x.shape;
  if (n < 2) throw new Error(`fitPca: need at least 2 rows to estimate a covariance, got ${n}`);
  if (!Number.isInteger(components) || components < 1 || components > d) {
    throw new Error(`fitPca: components must be an integer in [1, ${d}] for rows of ${d} values, got ${components}`);
  }
  const chunk = options.chunkRows ?? 8192;
  if (!Number.isInteger(chunk) || chunk < 1) throw new Error(`fitPca: chunkRows must be a positive integer, got ${chunk}`);

  const mu = mean(x, 0, true);
  const meanHost = Float32Array.from(await mu.data());
  const cov = new Float64Array(d * d);
  try {
    for (let r0 = 0; r0 < n; r0 += chunk) {
      const r1 = Math.min(n, r0 + chunk);
      // Cᵢ = (Xᵢ − μ)ᵀ(Xᵢ − μ) for this block of rows: [d, d].
      const part = tidy(() => {
        const xc = sub(r0 === 0 && r1 === n ? x : slice(x, [r0, 0], [r1, d]), mu);
        return matmulT(xc, xc, true, false);
      });
      const host = await part.data();
      part.dispose();
      for (let i = 0; i < d * d; i++) cov[i] += host[i];
    }
  } finally {
    mu.dispose();
  }
  // Symmetrise exactly (the two triangles come from different dot products) and normalise.
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      const v = (cov[i * d + j] + cov[j * d + i]) / 2 / (n - 1);
      cov[i * d + j] = v; cov[j * d + i] = v;
    }
    cov[i * d + i] /= n - 1;
  }
  const eig = symmetricEigen(cov, d);
  const comps = Float32Array.from(eig.vectors.subarray(0, components * d));
  return new Pca(meanHost, comps, components, d, eig.values, n);
}

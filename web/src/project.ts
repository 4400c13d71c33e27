// Codes to 2-D for the latent map: the code itself when it has two values (one: against 0),
// else its projection on the top two principal axes (the covariance's two leading eigenvectors,
// in float64, from src/eval's symmetricEigen, as tessera's PCA finds them).
import { symmetricEigen } from '../../src/eval/symmetric-eigen.js';

export function project2d(codes: Float32Array, d: number): { xs: Float64Array; ys: Float64Array; how: string } {
  const n = Math.floor(codes.length / d);
  const xs = new Float64Array(n), ys = new Float64Array(n);
  if (d <= 2) {
    for (let i = 0; i < n; i++) { xs[i] = codes[i * d]; ys[i] = d === 2 ? codes[i * d + 1] : 0; }
    return { xs, ys, how: d === 2 ? 'z₁ against z₂' : 'z₁ (code size 1)' };
  }
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += codes[i * d + j] / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) {
    const ca = codes[i * d + a] - mean[a];
    for (let b = 0; b < d; b++) cov[a * d + b] += (ca * (codes[i * d + b] - mean[b])) / n;
  }
  // Eigenvectors come as rows, by decreasing eigenvalue: the first two are the top axes.
  const axes = symmetricEigen(cov, d).vectors;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) {
    const c = codes[i * d + j] - mean[j];
    xs[i] += c * axes[j]; ys[i] += c * axes[d + j];
  }
  return { xs, ys, how: `the ${d}-value code on its top two principal axes` };
}

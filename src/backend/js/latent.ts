// The VAE's latent layer, the reference kernels (src/ops/latent.ts is the op). Per element, in
// double, each result rounded once to the storage dtype:
//   stats [rows, 2·latent] = μ ‖ v (v = log σ²), eps [rows, latent]
//   z[r, j] = μ + e^(v/2)·ε
//   kl[r]   = ½ Σ_j ((μ² + e^v) − 1 − v)      (summed in j order)
// and its adjoint, given dz [rows, latent] and dkl [rows] (a missing one contributes nothing):
//   dμ = dz + dkl·μ
//   dv = ½·dz·e^(v/2)·ε + ½·dkl·(e^v − 1)
// The native (native/simd_latent.inc) and WGSL (shaders/latent.wgsl) kernels compute the same
// expressions in the same order, except that native's forward takes e^v as σ² (one exp, not two).
import type { TypedArray } from '../backend.js';

export function reparameterize(stats: TypedArray, eps: TypedArray, z: TypedArray, kl: TypedArray, rows: number, latent: number): void {
  for (let r = 0; r < rows; r++) {
    const mu = r * 2 * latent, v = mu + latent, e = r * latent;
    let sum = 0;
    for (let j = 0; j < latent; j++) {
      const m = stats[mu + j], lv = stats[v + j];
      z[e + j] = m + Math.exp(0.5 * lv) * eps[e + j];
      sum += m * m + Math.exp(lv) - 1 - lv;
    }
    kl[r] = 0.5 * sum;
  }
}

export function reparameterizeBackward(stats: TypedArray, eps: TypedArray, dz: TypedArray | null, dkl: TypedArray | null,
  dstats: TypedArray, rows: number, latent: number): void {
  for (let r = 0; r < rows; r++) {
    const mu = r * 2 * latent, v = mu + latent, e = r * latent;
    const gk = dkl === null ? 0 : dkl[r];
    for (let j = 0; j < latent; j++) {
      const m = stats[mu + j], lv = stats[v + j], gz = dz === null ? 0 : dz[e + j];
      dstats[mu + j] = (dz === null ? 0 : gz) + (dkl === null ? 0 : gk * m);
      dstats[v + j] = (dz === null ? 0 : 0.5 * gz * Math.exp(0.5 * lv) * eps[e + j]) + (dkl === null ? 0 : 0.5 * gk * (Math.exp(lv) - 1));
    }
  }
}

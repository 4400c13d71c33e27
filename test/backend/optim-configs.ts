// The optimizer settings the backend tests sweep: every rule variant (plain, momentum with and
// without dampening and weight decay, Nesterov, maximize; Adam, Adam with L2, AdamW, amsgrad).
import type { AdamParams, SgdParams } from '../../src/backend/backend.js';
import { Generator, uniform } from './native-helpers.js';

export const SGD_CONFIGS: readonly Omit<SgdParams, 'firstStep'>[] = [
  { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 },
  { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 },
  { lr: 0.05, momentum: 0.9, dampening: 0.1, nesterov: false, weightDecay: 1e-2 },
  { lr: 0.01, momentum: 0.8, dampening: 0, nesterov: true, weightDecay: 5e-4 },
  { lr: 0.01, momentum: 0.5, dampening: 0, nesterov: false, weightDecay: 0, maximize: true },
];

export const ADAM_CONFIGS: readonly Omit<AdamParams, 'step'>[] = [
  { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false },
  { lr: 1e-2, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 1e-2, decoupled: false },
  { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2, decoupled: true },
  { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: true },
  { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled: true, amsgrad: true },
];

/**
 * Optimizer state as a parameter with a zero gradient leaves it after many steps, in blocks of 16
 * elements (whole vectors on every ISA) for the paths of simd_optim.inc: elements 0-63 normal
 * values only (the float lanes); 64-95 momenta in the subnormals (2^-149, where β·m rounds back to
 * itself, and others) beside normal second moments, gradients 0 or normal (m's products in double
 * lanes, p left as it is); 96-111 the same with parameters of 1e-20 (the update divided exactly);
 * 112 on, and the 5 past the last block, tiny second moments, gradients and parameters too (every
 * operation in double lanes).
 */
export function subnormalState(): { n: number; p0: Float32Array; g0: Float32Array; m0: Float32Array; v0: Float32Array } {
  const n = 16 * 10 + 5;
  const gen = new Generator(45);
  const tiny = [2 ** -149, -(2 ** -149), 3 * 2 ** -149, 2 ** -130, -(2 ** -127), 1e-39, 2 ** -126, 1e-28, -5e-30, 0];
  const p0 = uniform(gen, n), g0 = uniform(gen, n, -1, 1), m0 = new Float32Array(n), v0 = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    m0[i] = 0.01 * g0[i];
    v0[i] = 1e-4 * g0[i] ** 2 + 1e-12;
    if (i < 64) continue;
    if (i % 4 !== 3) m0[i] = tiny[(i * 3) % tiny.length];
    if (i % 2 === 0) g0[i] = 0;
    if (i >= 96 && i < 112 && i % 3 === 0) p0[i] = i % 2 === 0 ? 1e-20 : -3e-19;
    if (i >= 112) {
      if (i % 4 !== 3) v0[i] = Math.abs(tiny[(i * 7) % tiny.length]);
      if (i % 5 === 0) g0[i] = tiny[i % tiny.length];
      if (i % 37 === 0) p0[i] = -3e-42;
    }
  }
  return { n, p0, g0, m0, v0 };
}

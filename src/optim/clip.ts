// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
//   by norm:  ‖g‖ = (Σ_p Σ_i g_pi²)^½ over all parameters;  g ← g · min(1, maxNorm / (‖g‖ + 1e-6))
//   by value: g ← clamp(g, −v, v)
// The norm is computed on the device; `clipGradNormTensor` never reads it back (webgpu's fit
// loop uses it), `clipGradNorm` reads the one number.
import type { Tensor } from '../tensor.js';
import { assign } from '../ops/shape-ops.js';
import { clamp, minimum } from '../ops/elementwise.js';
import { sumSquares } from '../ops/reduce.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';

function withGrads(op: string, params: Tensor[]): Tensor[] {
  if (!Array.isArray(params)) throw new Error(`${op}: expected an array of parameters`);
  return params.filter((p) => p.grad !== null);
}

/** Rescales the gradients in place; returns the total norm before clipping as a 0-d tensor. */
export function clipGradNormTensor(params: Tensor[], maxNorm: number): Tensor | null {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm: maxNorm must be a positive number, got ${maxNorm}`);
  const grads = withGrads('clipGradNorm', params).map((p) => p.grad as Tensor);
  if (grads.length === 0) return null;
  return tidy(() => noGrad(() => {
    // Σ g² per parameter in one reduction each (bit for bit sum(square(g))), no array of squares.
    let sq = sumSquares(grads[0]);
    for (let i = 1; i < grads.length; i++) sq = sq.add(sumSquares(grads[i]));
    const norm = sq.sqrt();
    // coef = min(1, maxNorm / (‖g‖ + 1e-6)): multiplying by 1 leaves small gradients unchanged
    const coef = minimum(norm.add(1e-6).reciprocal().mul(maxNorm), 1);
    for (const g of grads) assign(g, g.mul(coef));
    return norm;
  }));
}

/** Rescales the gradients so that their joint L2 norm is at most maxNorm; returns the norm before. */
export function clipGradNorm(params: Tensor[], maxNorm: number): number {
  const norm = clipGradNormTensor(params, maxNorm);
  if (norm === null) return 0;
  const value = norm.item();
  norm.dispose();
  return value;
}

/** Clamps every gradient element to [−value, value] in place. */
export function clipGradValue(params: Tensor[], value: number): void {
  if (!(value > 0)) throw new Error(`clipGradValue: value must be a positive number, got ${value}`);
  for (const p of withGrads('clipGradValue', params)) {
    const g = p.grad as Tensor;
    tidy(() => noGrad(() => { assign(g, clamp(g, -value, value)); }));
  }
}

// Fused optimizer updates of the js backend: one pass over each parameter, in place.
// The rules are PyTorch's (torch.optim.SGD and torch.optim.Adam/AdamW, foreach=False).
//
// Float32 tensors are updated in float32 arithmetic, as PyTorch does for float32 parameters:
// every +, −, ×, ÷ and √ is rounded to float32 with Math.fround, and the hyper-parameter
// constants (β1, 1 − β1, …) are computed in float64 once and rounded to float32 once. For
// these five operations a float64 result rounded to float32 is exactly the correctly rounded
// float32 result (53 ≥ 2·24 + 2, so the double rounding is innocuous), so the native backend,
// which runs the same operations in the same order in float32 SIMD lanes (no FMA), matches
// this loop bit for bit — and it runs twice as many lanes per register with single-precision
// divides and square roots, which is what made Adam compute-bound in double.
// Float64 tensors (gradcheck) keep plain float64 arithmetic: the same formulas without fround.
import type { AdamParams, SgdParams, TypedArray } from '../backend.js';

const f = Math.fround;

// param, grad, buf: [size]
//   g ← sign·grad (+ wd·p);  b ← g on the first step, else μ·b + (1 − dampening)·g;
//   g ← nesterov ? g + μ·b : b;  p ← p − lr·g
export function sgdStep(param: TypedArray, grad: TypedArray, buf: TypedArray | null, size: number, p: SgdParams): void {
  const { lr, momentum, dampening, nesterov, weightDecay, firstStep } = p;
  const sign = p.maximize ? -1 : 1;
  const useBuf = momentum !== 0 && buf !== null;
  if (param instanceof Float64Array) {
    for (let i = 0; i < size; i++) {
      let g = sign * grad[i];
      if (weightDecay !== 0) g += weightDecay * param[i];
      if (useBuf) {
        const b = firstStep ? g : momentum * buf[i] + (1 - dampening) * g;
        buf[i] = b;
        g = nesterov ? g + momentum * b : b;
      }
      param[i] -= lr * g;
    }
    return;
  }
  // float32: one rounding per operation (sign·grad is exact, sign = ±1).
  const LR = f(lr), MU = f(momentum), DAMP = f(1 - dampening), WD = f(weightDecay);
  for (let i = 0; i < size; i++) {
    const pi = param[i];
    let g = sign * grad[i];
    if (weightDecay !== 0) g = f(g + f(WD * pi));
    if (useBuf) {
      const b = firstStep ? g : f(f(MU * buf[i]) + f(DAMP * g));
      buf[i] = b;
      g = nesterov ? f(g + f(MU * b)) : b;
    }
    param[i] = pi - f(LR * g);   // the store rounds the last subtraction
  }
}

// param, grad, m, v, vMax: [size]
//   AdamW: p ← p·(1 − lr·wd);  Adam: g ← g + wd·p
//   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g·g;  v̂ = amsgrad ? (vMax ← max(vMax, v)) : v
//   p ← p − (stepSize·m) / (√v̂ / √(1 − β2ᵗ) + ε),  stepSize = lr / (1 − β1ᵗ)
export function adamStep(param: TypedArray, grad: TypedArray, m: TypedArray, v: TypedArray, vMax: TypedArray | null,
  size: number, p: AdamParams): void {
  const { lr, beta1, beta2, eps, weightDecay, decoupled, step } = p;
  const bc1 = 1 - Math.pow(beta1, step);
  const bc2 = 1 - Math.pow(beta2, step);
  const stepSize = lr / bc1;
  const bc2Sqrt = Math.sqrt(bc2);
  const decay = 1 - lr * weightDecay;
  if (param instanceof Float64Array) {
    for (let i = 0; i < size; i++) {
      let g = grad[i];
      if (weightDecay !== 0) {
        if (decoupled) param[i] *= decay;             // AdamW
        else g += weightDecay * param[i];             // Adam's L2 penalty
      }
      const mi = beta1 * m[i] + (1 - beta1) * g;
      const vi = beta2 * v[i] + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      let vHat = vi;
      if (vMax) { if (vi > vMax[i]) vMax[i] = vi; vHat = vMax[i]; }
      param[i] -= stepSize * mi / (Math.sqrt(vHat) / bc2Sqrt + eps);
    }
    return;
  }
  // float32: the constants rounded once, then one rounding per operation.
  const B1 = f(beta1), C1 = f(1 - beta1), B2 = f(beta2), C2 = f(1 - beta2), EPS = f(eps), WD = f(weightDecay);
  const DECAY = f(decay), SS = f(stepSize), BC2S = f(bc2Sqrt);
  for (let i = 0; i < size; i++) {
    let g = grad[i];
    if (weightDecay !== 0) {
      if (decoupled) param[i] = f(param[i] * DECAY);   // AdamW
      else g = f(g + f(WD * param[i]));                // Adam's L2 penalty
    }
    const mi = f(f(B1 * m[i]) + f(C1 * g));
    const vi = f(f(B2 * v[i]) + f(f(C2 * g) * g));
    m[i] = mi;
    v[i] = vi;
    let vHat = vi;
    if (vMax) { if (vi > vMax[i]) vMax[i] = vi; vHat = vMax[i]; }
    const denom = f(f(f(Math.sqrt(vHat)) / BC2S) + EPS);
    param[i] = param[i] - f(f(SS * mi) / denom);   // the store rounds the last subtraction
  }
}

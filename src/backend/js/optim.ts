// Fused optimizer updates of the js backend: one pass over each parameter, in place.
// The rules are PyTorch's (torch.optim.SGD and torch.optim.Adam/AdamW, foreach=False).
import type { AdamParams, SgdParams, TypedArray } from '../backend.js';

export function sgdStep(param: TypedArray, grad: TypedArray, buf: TypedArray | null, size: number, p: SgdParams): void {
  const { lr, momentum, dampening, nesterov, weightDecay, firstStep } = p;
  const sign = p.maximize ? -1 : 1;
  for (let i = 0; i < size; i++) {
    let g = sign * grad[i];
    if (weightDecay !== 0) g += weightDecay * param[i];
    if (momentum !== 0 && buf) {
      // b ← g on the first step, else b ← μ·b + (1 − dampening)·g
      const b = firstStep ? g : momentum * buf[i] + (1 - dampening) * g;
      buf[i] = b;
      g = nesterov ? g + momentum * b : b;
    }
    param[i] -= lr * g;
  }
}

export function adamStep(param: TypedArray, grad: TypedArray, m: TypedArray, v: TypedArray, vMax: TypedArray | null,
  size: number, p: AdamParams): void {
  const { lr, beta1, beta2, eps, weightDecay, decoupled, step } = p;
  const bc1 = 1 - Math.pow(beta1, step);
  const bc2 = 1 - Math.pow(beta2, step);
  const stepSize = lr / bc1;
  const bc2Sqrt = Math.sqrt(bc2);
  for (let i = 0; i < size; i++) {
    let g = grad[i];
    if (weightDecay !== 0) {
      if (decoupled) param[i] *= 1 - lr * weightDecay;   // AdamW
      else g += weightDecay * param[i];                  // Adam's L2 penalty
    }
    const mi = beta1 * m[i] + (1 - beta1) * g;
    const vi = beta2 * v[i] + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    let vHat = vi;
    if (vMax) { if (vi > vMax[i]) vMax[i] = vi; vHat = vMax[i]; }
    // p ← p − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + ε)
    param[i] -= stepSize * mi / (Math.sqrt(vHat) / bc2Sqrt + eps);
  }
}

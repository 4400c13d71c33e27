// The update rule each optimizer applies to a parameter, as a formula, and the hyperparameters it
// uses, read from the optimizer's first parameter group (PyTorch's names).
import type { StepOptimizer } from './step-trace.js';

const RULES: Record<string, string[]> = {
  SGD: [
    'g ← g + wd·p                       (weight decay, when wd > 0)',
    'b ← μ·b + (1 − dampening)·g; g ← b (momentum, when μ > 0; nesterov: g ← g + μ·b)',
    'p ← p − lr·g',
  ],
  Adam: [
    'g ← g + wd·p                       (L2 weight decay, when wd > 0)',
    'm ← β₁·m + (1 − β₁)·g              (first moment: a running mean of the gradient)',
    'v ← β₂·v + (1 − β₂)·g²             (second moment: a running mean of its square)',
    'm̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ) (bias correction for the zero start)',
    'p ← p − lr·m̂ / (√v̂ + ε)',
  ],
  AdamW: [
    'p ← p − lr·wd·p                    (decoupled weight decay)',
    'm ← β₁·m + (1 − β₁)·g; v ← β₂·v + (1 − β₂)·g²',
    'p ← p − lr·m̂ / (√v̂ + ε), m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)',
  ],
  RMSprop: [
    'v ← α·v + (1 − α)·g²',
    'p ← p − lr·g / (√v + ε)            (centered: √(v − ḡ²); momentum: through a buffer)',
  ],
  Adagrad: [
    's ← s + g²',
    'p ← p − lr_t·g / (√s + ε), lr_t = lr / (1 + (t − 1)·lrDecay)',
  ],
};

export interface OptimizerDescription {
  name: string;
  hyperparameters: Record<string, unknown>;
  rule: string[];
}

export function describeOptimizer(optimizer: StepOptimizer): OptimizerDescription {
  const name = (optimizer as object).constructor?.name && (optimizer as object).constructor !== Object
    ? (optimizer as object).constructor.name : 'optimizer';
  const group = optimizer.paramGroups?.[0];
  const hyperparameters: Record<string, unknown> = {};
  if (group) for (const [k, v] of Object.entries(group)) if (k !== 'params') hyperparameters[k] = v;
  return { name, hyperparameters, rule: RULES[name] ?? ['(no formula on file for this optimizer: see its kernels below)'] };
}

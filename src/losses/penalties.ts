// Weight penalties over a list of parameters (Keras's kernel_regularizer terms, without λ):
//   l1Penalty = Σ |w|,   l2Penalty = Σ w²   (Keras's l2; PyTorch's weight_decay λ matches λ/2·Σ w²)
import type { Tensor } from '../tensor.js';
import { abs, add } from '../ops/elementwise.js';
import { sum, sumSquares } from '../ops/reduce.js';
import { zeros } from '../ops/creation.js';

// `reduceTerm(p)` is Σ over p of the per-element term, as one scalar.
function total(op: string, params: readonly Tensor[], reduceTerm: (p: Tensor) => Tensor): Tensor {
  if (params.length === 0) throw new Error(`${op}: expected at least one parameter`);
  let acc: Tensor | null = null;
  for (const p of params) {
    const s = reduceTerm(p);
    acc = acc === null ? s : add(acc, s);
  }
  return acc ?? zeros([]);
}

export function l1Penalty(params: readonly Tensor[]): Tensor {
  return total('l1Penalty', params, (p) => sum(abs(p)));
}

export function l2Penalty(params: readonly Tensor[]): Tensor {
  // sumSquares: Σ w² in one reduction (bit for bit sum(square(w))), no array of squares.
  return total('l2Penalty', params, (p) => sumSquares(p));
}

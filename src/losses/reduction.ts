// The reductions every loss shares, as in PyTorch: 'mean' over all elements, 'sum', or 'none'.
import type { Tensor } from '../tensor.js';
import { mean, sum } from '../ops/reduce.js';
import { sameShape, shapeStr } from '../shape.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  reduction?: Reduction;
}

export function reduce(op: string, loss: Tensor, reduction: Reduction = 'mean'): Tensor {
  switch (reduction) {
    case 'mean': return mean(loss);
    case 'sum': return sum(loss);
    case 'none': return loss;
    default: throw new Error(`${op}: unknown reduction '${String(reduction)}'; expected 'mean', 'sum' or 'none'`);
  }
}

/** Losses compare like with like: no silent broadcasting (PyTorch only warns). */
export function checkPair(op: string, pred: Tensor, target: Tensor): void {
  if (!sameShape(pred.shape, target.shape)) {
    throw new Error(`${op}: prediction ${shapeStr(pred.shape)} and target ${shapeStr(target.shape)} must have the same shape`);
  }
}

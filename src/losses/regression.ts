// Regression losses on d = pred − target:
//   mse    d²
//   l1     |d|                                      (Keras's 'mae')
//   huber  ½d² where |d| < δ, else δ(|d| − ½δ)      written as ½q² + δ(|d| − q), q = min(|d|, δ)
import type { Tensor } from '../tensor.js';
import { abs, add, minimum, mul, square, sub } from '../ops/elementwise.js';
import { squaredError } from '../ops/squared-error.js';
import { checkPair, reduce, type LossOptions } from './reduction.js';

export function mseLoss(pred: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair('mseLoss', pred, target);
  const reduction = options.reduction ?? 'mean';
  // mean and sum: one fused node (src/ops/squared-error.ts), the same values as the composition
  if (reduction === 'mean' || reduction === 'sum') return squaredError(pred, target, reduction);
  return reduce('mseLoss', square(sub(pred, target)), reduction);
}

export function l1Loss(pred: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair('l1Loss', pred, target);
  return reduce('l1Loss', abs(sub(pred, target)), options.reduction);
}

export function huberLoss(pred: Tensor, target: Tensor, options: LossOptions & { delta?: number } = {}): Tensor {
  checkPair('huberLoss', pred, target);
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new Error(`huberLoss: delta must be > 0, got ${delta}`);
  const a = abs(sub(pred, target));
  const q = minimum(a, delta);
  return reduce('huberLoss', add(mul(square(q), 0.5), mul(sub(a, q), delta)), options.reduction);
}

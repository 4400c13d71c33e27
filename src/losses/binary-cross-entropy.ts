// Binary cross-entropy, −[y·log p + (1 − y)·log(1 − p)], two ways:
//   bceLoss            on probabilities p; each log is clamped at −100 as in PyTorch, so p = 0 or 1
//                      gives a finite loss (and no NaN gradient); p or y outside [0, 1] is an error
//                      (check-values.ts)
//   bceWithLogitsLoss  on logits x, stably: max(x, 0) − x·y + log(1 + e^−|x|);
//                      dL/dx = σ(x) − y, dL/dy = −x
import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd.js';
import { record } from '../ops/op.js';
import { abs, add, clamp, eq, ge, log, maximum, mul, neg, rsub, sub, where } from '../ops/elementwise.js';
import { relu, sigmoid, softplus } from '../ops/activation.js';
import { checkPair, reduce, type LossOptions } from './reduction.js';
import { checkProbabilities } from './check-values.js';

/** The smallest normal float32. Smaller (subnormal) values are flushed to 0 by GPUs (WGSL on llvmpipe too). */
const SMALLEST_NORMAL = 2 ** -126;

/**
 * log(p) clamped below at −100, as PyTorch: exactly −100 with gradient 0 where p < 2⁻¹²⁶, log p
 * (≥ −87.34) elsewhere. Written so that no backend ever takes log of 0: log sees max(p, 2⁻¹²⁶), a
 * normal number that survives a GPU's flush of subnormals (a floor of 2⁻¹⁴⁹ became 0 on webgpu,
 * giving log 0 = −∞ and a NaN gradient 0/0). Subnormal p counts as 0 on every backend (−100 where
 * PyTorch, on the CPU, gives log p ∈ (−100, −87.34)).
 */
function clampedLog(p: Tensor): Tensor {
  return where(ge(p, SMALLEST_NORMAL), log(maximum(p, SMALLEST_NORMAL)), -100);
}

const HINT = ' (apply sigmoid to logits first, or use bceWithLogitsLoss)';

export function bceLoss(pred: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair('bceLoss', pred, target);
  const onHost = checkProbabilities('bceLoss', 'prediction', pred, HINT) &&
    checkProbabilities('bceLoss', 'target', target, '');
  let loss = neg(add(mul(target, clampedLog(pred)), mul(rsub(1, target), clampedLog(rsub(1, pred)))));
  // No host read (webgpu): an element whose p or y lies outside [0, 1] (or is NaN) gets loss NaN.
  if (!onHost) loss = where(noGrad(() => mul(eq(clamp(pred, 0, 1), pred), eq(clamp(target, 0, 1), target))), loss, NaN);
  return reduce('bceLoss', loss, options.reduction);
}

export function bceWithLogitsLoss(logits: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair('bceWithLogitsLoss', logits, target);
  // Forward with ops under noGrad, then one node whose rule is the closed-form derivative
  // (the composite's derivative would be wrong at exactly x = 0, where |x| has no slope).
  const loss = noGrad(() => add(sub(relu(logits), mul(logits, target)), softplus(neg(abs(logits)))));
  const out = record(loss, 'bceWithLogits', [logits, target], (g) => [
    logits.requiresGrad ? mul(g, sub(sigmoid(logits), target)) : null,
    target.requiresGrad ? neg(mul(g, logits)) : null,
  ], { saved: ['logits', 'target'] });
  return reduce('bceWithLogitsLoss', out, options.reduction);
}

// Binary cross-entropy, −[y·log p + (1 − y)·log(1 − p)], two ways:
//   bceLoss            on probabilities p; each log is clamped at −100 as in PyTorch, so p = 0 or 1
//                      gives a finite loss (and no NaN gradient)
//   bceWithLogitsLoss  on logits x, stably: max(x, 0) − x·y + log(1 + e^−|x|);
//                      dL/dx = σ(x) − y, dL/dy = −x
import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd.js';
import { record } from '../ops/op.js';
import { abs, add, clamp, log, maximum, mul, neg, rsub, sub } from '../ops/elementwise.js';
import { relu, sigmoid, softplus } from '../ops/activation.js';
import { checkPair, reduce, type LossOptions } from './reduction.js';

/**
 * log(p) clamped below at −100. p is first raised to 2⁻¹⁴⁹ (the smallest float32, log ≈ −103.3)
 * so that log never sees 0: the value is exactly −100 there and the gradient is 0, not NaN.
 */
function clampedLog(p: Tensor): Tensor {
  return maximum(log(clamp(p, 2 ** -149, 1)), -100);
}

export function bceLoss(pred: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair('bceLoss', pred, target);
  const loss = neg(add(mul(target, clampedLog(pred)), mul(rsub(1, target), clampedLog(rsub(1, pred)))));
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

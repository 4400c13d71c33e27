// Binary cross-entropy, −[y·log p + (1 − y)·log(1 − p)], two ways:
//   bceLoss            on probabilities p; each log is clamped at −100 as in PyTorch, so p = 0 or 1
//                      gives a finite loss (and no NaN gradient); p or y outside [0, 1] is an error
//                      (check-values.ts)
//   bceWithLogitsLoss  on logits x, stably: max(x, 0) − x·y + log(1 + e^−|x|);
//                      dL/dx = σ(x) − y, dL/dy = −x (the VAE's training loss, src/models/vae.ts)
import type { Tensor } from '../tensor.js';
import { isGradEnabled, noGrad } from '../autograd.js';
import { record } from '../ops/op.js';
import { add, bceLogitsWithGrad, binaryKernel, clamp, div, eq, ge, log, maximum, mul, neg, rsub, sub, where } from '../ops/elementwise.js';
import { sigmoid } from '../ops/activation.js';
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

/**
 * BCE on probabilities. The loss per element is ONE kernel pass (the binary op 'bce') and its
 * gradient another ('bceGrad', times g): the composition below (bceComposite) is a dozen passes
 * and as many graph nodes per step, the VAE's largest cost outside its matmuls. Both clamp the
 * logs at −100 alike; bceComposite rounds 1 − p to the dtype before its log, 'bce' does not.
 */
export function bceLoss(pred: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair('bceLoss', pred, target);
  const onHost = checkProbabilities('bceLoss', 'prediction', pred, HINT) &&
    checkProbabilities('bceLoss', 'target', target, '');
  // A target that needs a gradient (rare: targets are data) takes the composition's graph.
  if (target.requiresGrad) return reduce('bceLoss', maskInvalid(bceComposite(pred, target), pred, target, onHost), options.reduction);
  const reduction = options.reduction ?? 'mean';
  const loss = noGrad(() => reduce('bceLoss', maskInvalid(binaryKernel('bce', pred, target), pred, target, onHost), reduction));
  if (!(isGradEnabled() && pred.requiresGrad)) return loss;
  return record(loss, 'bce', [pred, target], (g) => {
    // g has the loss's shape: a scalar for 'sum' and 'mean' (÷N here, as mean's rule), else pred's.
    const scale = reduction === 'mean' ? mul(g, 1 / pred.size) : g;
    // Under createGraph the derivative is built from ops, so that it has a graph of its own.
    const d = isGradEnabled() ? bceDerivative(pred, target) : binaryKernel('bceGrad', pred, target);
    return [mul(d, scale), null];
  }, { saved: ['pred', 'target'], attrs: { reduction } });
}

/** No host read (webgpu): an element whose p or y lies outside [0, 1] (or is NaN) gets loss NaN. */
function maskInvalid(loss: Tensor, pred: Tensor, target: Tensor, onHost: boolean): Tensor {
  if (onHost) return loss;
  return where(noGrad(() => mul(eq(clamp(pred, 0, 1), pred), eq(clamp(target, 0, 1), target))), loss, NaN);
}

/** The naive reference: −[y·log p + (1 − y)·log(1 − p)] from elementwise ops, logs clamped. */
export function bceComposite(pred: Tensor, target: Tensor): Tensor {
  return neg(add(mul(target, clampedLog(pred)), mul(rsub(1, target), clampedLog(rsub(1, pred)))));
}

/** ∂bce/∂p from ops (what 'bceGrad' computes in one pass): (1 − y)/(1 − p) − y/p, clamped terms 0. */
function bceDerivative(pred: Tensor, target: Tensor): Tensor {
  const q = rsub(1, pred);
  const upper = where(ge(q, SMALLEST_NORMAL), div(rsub(1, target), maximum(q, SMALLEST_NORMAL)), 0);
  const lower = where(ge(pred, SMALLEST_NORMAL), div(target, maximum(pred, SMALLEST_NORMAL)), 0);
  return sub(upper, lower);
}

/**
 * BCE on logits in one kernel pass, where the composition max(x, 0) − x·y + log1p(e^−|x|) took
 * seven: 'bceLogits' alone when the logits need no gradient, else 'bceLogitsWithGrad', which also
 * writes the derivative σ(x) − y from the same e^−|x| (the backward then only scales it; the VAE's
 * step read the logits three times). The derivative is the closed form (the composite's would be
 * wrong at exactly x = 0, where |x| has no slope).
 */
export function bceWithLogitsLoss(logits: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair('bceWithLogitsLoss', logits, target);
  const reduction = options.reduction ?? 'mean';
  const withGrad = isGradEnabled() && logits.requiresGrad;
  const [each, dLogits] = noGrad(() => withGrad ? bceLogitsWithGrad(logits, target) : [binaryKernel('bceLogits', logits, target), null]);
  const loss = noGrad(() => reduce('bceWithLogitsLoss', each, reduction));
  return record(loss, 'bceWithLogits', [logits, target], (g) => {
    // g has the loss's shape: a scalar for 'sum' and 'mean' (÷N here, as mean's rule), else logits'.
    const scale = reduction === 'mean' ? mul(g, 1 / logits.size) : g;
    // Under createGraph the derivative is built from ops, so that it has a graph of its own.
    const d = !logits.requiresGrad ? null
      : isGradEnabled() ? sub(sigmoid(logits), target) : dLogits ?? binaryKernel('bceLogitsGrad', logits, target);
    return [d === null ? null : mul(d, scale), target.requiresGrad ? neg(mul(logits, scale)) : null];
  }, { saved: ['logits', 'target'], attrs: { reduction } });
}

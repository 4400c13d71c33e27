// Categorical cross-entropy on logits: L = −Σ_c t_c · log_softmax(x)_c along the class axis (1).
// Targets are either class indices (shape = logits' shape without the class axis, values
// 0…C−1 stored as floats) or probabilities (logits' shape). 'mean' averages over the
// examples (every position but the class axis), as PyTorch does for both kinds. A class index
// that is not an integer in 0…C−1 is an error (check-values.ts; NaN loss on webgpu).
import type { Tensor } from '../tensor.js';
import { arange } from '../ops/creation.js';
import { eq, mul, neg, where } from '../ops/elementwise.js';
import { logSoftmax } from '../ops/activation.js';
import { sum } from '../ops/reduce.js';
import { reshape, unsqueeze } from '../ops/shape-ops.js';
import { sameShape, shapeStr } from '../shape.js';
import { reduce, type LossOptions } from './reduction.js';
import { checkClassIndices } from './check-values.js';

export function crossEntropyLoss(logits: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  if (logits.rank < 1) throw new Error(`crossEntropyLoss: logits must be [n, C] or [n, C, …], got ${shapeStr(logits.shape)}`);
  // A single example [C] is treated as a batch of one.
  const classAxis = logits.rank === 1 ? 0 : 1;
  const classes = logits.shape[classAxis];
  const withoutClass = logits.shape.filter((_, i) => i !== classAxis);
  let probs: Tensor;
  let indicesUnchecked = false;
  if (sameShape(target.shape, logits.shape)) {
    probs = target;
  } else if (sameShape(target.shape, withoutClass)) {
    indicesUnchecked = !checkClassIndices('crossEntropyLoss', target, classes, logits);
    // One-hot by comparison with 0…C−1 laid along the class axis: no host readback.
    const ids = reshape(arange(0, classes, 1, { backend: logits.backend, dtype: logits.dtype }),
      logits.shape.map((d, i) => (i === classAxis ? d : 1)));
    probs = eq(unsqueeze(target, classAxis), ids);
  } else {
    throw new Error(`crossEntropyLoss: target ${shapeStr(target.shape)} must be class indices ${shapeStr(withoutClass)} or probabilities ${shapeStr(logits.shape)} for logits ${shapeStr(logits.shape)}`);
  }
  let perExample = neg(sum(mul(probs, logSoftmax(logits, classAxis)), classAxis));
  // Not read on the host (webgpu): an invalid index matches no class (its one-hot row sums to 0),
  // and its example's loss is NaN instead of 0.
  if (indicesUnchecked) perExample = where(eq(sum(probs, classAxis), 1), perExample, NaN);
  return reduce('crossEntropyLoss', perExample, options.reduction);
}

// The objective of one batch: the data loss, plus the terms the model added during its forward
// pass (Keras's add_loss: a VAE's KL, a sparsity penalty), plus weight penalties
//   L = loss(pred, y) + Σ takeLosses() + l1·Σ|w| + l2·Σ w²
// over the weight matrices and kernels (parameters of rank ≥ 2; biases and norms are exempt,
// as with Keras's kernel_regularizer). fit's training loss and validation loss both use it.
import type { Tensor } from '../tensor.js';
import type { Module } from '../nn/module.js';
import { getLoss, LOSS_NAMES, type LossFunction, type LossName } from '../losses/get-loss.js';
import { l1Penalty, l2Penalty } from '../losses/penalties.js';

function resolveLoss(op: string, loss: LossFunction | string | undefined): LossFunction {
  if (typeof loss === 'function') return loss;
  if (typeof loss === 'string') {
    if (!(LOSS_NAMES as readonly string[]).includes(loss)) {
      throw new Error(`${op}: unknown loss '${loss}' (expected a function or one of ${LOSS_NAMES.join(', ')})`);
    }
    return getLoss(loss as LossName);
  }
  throw new Error(`${op}: options.loss must be a loss function (pred, target) => Tensor or a name (${LOSS_NAMES.join(', ')})`);
}

export interface Objective {
  lossFn: LossFunction;
  l1: number;
  l2: number;
  /** Parameters the l1/l2 penalties apply to. */
  penalized: Tensor[];
}

export function makeObjective(op: string, model: Module, loss: LossFunction | string | undefined, l1 = 0, l2 = 0): Objective {
  for (const [k, v] of [['l1', l1], ['l2', l2]] as const) {
    if (!(Number.isFinite(v) && v >= 0)) throw new Error(`${op}: ${k} must be a number >= 0, got ${v}`);
  }
  return { lossFn: resolveLoss(op, loss), l1, l2, penalized: model.parameters().filter((p) => p.rank >= 2) };
}

/** loss(pred, y) + the model's added terms + weight penalties; the added terms are consumed. */
export function objective(model: Module, pred: Tensor, y: Tensor, o: Objective): Tensor {
  let loss = o.lossFn(pred, y);
  if (loss.size !== 1) throw new Error(`loss: the loss function returned shape [${loss.shape.join(', ')}]; expected one value (use reduction 'mean' or 'sum')`);
  for (const term of model.takeLosses()) loss = loss.add(term.size === 1 ? term : term.sum());
  if (o.penalized.length > 0) {
    if (o.l1 > 0) loss = loss.add(l1Penalty(o.penalized).mul(o.l1));
    if (o.l2 > 0) loss = loss.add(l2Penalty(o.penalized).mul(o.l2));
  }
  return loss;
}

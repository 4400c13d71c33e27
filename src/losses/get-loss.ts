// Losses by name, for fit(loss: 'mse') and the CLI.
import type { Tensor } from '../tensor.js';
import { huberLoss, l1Loss, mseLoss } from './regression.js';
import { bceLoss, bceWithLogitsLoss } from './binary-cross-entropy.js';
import { crossEntropyLoss } from './cross-entropy.js';

export type LossName = 'mse' | 'mae' | 'huber' | 'bce' | 'bce-logits' | 'cross-entropy';
/** A loss: predictions and targets to a scalar tensor (the one type for fit's `loss`, getLoss and the CLI). */
export type LossFunction = (pred: Tensor, target: Tensor) => Tensor;

export const LOSS_NAMES: readonly LossName[] = ['mse', 'mae', 'huber', 'bce', 'bce-logits', 'cross-entropy'];

/** The mean-reduced loss for a name. */
export function getLoss(name: LossName): LossFunction {
  switch (name) {
    case 'mse': return (p, t) => mseLoss(p, t);
    case 'mae': return (p, t) => l1Loss(p, t);
    case 'huber': return (p, t) => huberLoss(p, t);
    case 'bce': return (p, t) => bceLoss(p, t);
    case 'bce-logits': return (p, t) => bceWithLogitsLoss(p, t);
    case 'cross-entropy': return (p, t) => crossEntropyLoss(p, t);
    default: throw new Error(`getLoss: unknown loss '${String(name)}'; expected one of ${LOSS_NAMES.join(', ')}`);
  }
}

// Losses and penalties.
export { mseLoss, l1Loss, huberLoss } from './regression.js';
export { bceLoss, bceWithLogitsLoss } from './binary-cross-entropy.js';
export { crossEntropyLoss } from './cross-entropy.js';
export { klDivLoss, gaussianKl, klSparsity } from './kl-divergence.js';
export type { KlDivOptions } from './kl-divergence.js';
export { l1Penalty, l2Penalty } from './penalties.js';
export { getLoss, LOSS_NAMES } from './get-loss.js';
export type { LossName, LossFunction } from './get-loss.js';
export type { Reduction, LossOptions } from './reduction.js';

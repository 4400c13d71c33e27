// From a run's TrainConfig to a model: the seed's dense autoencoder and its variants. The config
// and the data's shape give an Architecture (the builder and its options, stored in config.json
// and the weights' metadata), and the architecture builds the model, so a run folder's weights
// always load back into the model that wrote them.
import type { Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { Autoencoder } from './autoencoder.js';
import { VAE } from './vae.js';
import { buildArchitecture, inputShapeOf, type Architecture } from './architecture.js';
import { huberLoss, l1Loss, mseLoss } from '../losses/regression.js';
import { bceLoss } from '../losses/binary-cross-entropy.js';
import type { LossChoice, TrainConfig } from './run-config.js';
import type { ActivationName } from '../nn/activations.js';
import { UsageError } from '../util/errors.js';
import { checkTrainingFits, memoryForTraining, sizeOptions } from './memory-estimate.js';

/** λ of the sparse model's L1 activity penalty when --l1 is 0. */
const DEFAULT_SPARSITY = 1e-4;

/** The bundled Fashion-MNIST: 28×28 grey images scaled to [0, 1]. */
const FASHION_SHAPE = [1, 28, 28];

/**
 * The architecture `c` describes for rows of `featureShape` (without the batch axis). The output
 * follows the data: a sigmoid for data scaled into [0, 1], linear for standardized data.
 */
export function architectureFor(c: TrainConfig, featureShape: readonly number[] = FASHION_SHAPE, unitRange = true, command = 'train'): Architecture {
  // 'linear' drops every nonlinearity, the output's too: a linear autoencoder trained with MSE
  // spans PCA's subspace, so its test error should approach PCA's (the seed's first question).
  const linear = c.activation === 'linear';
  const activation: ActivationName = c.activation === 'linear' ? 'none' : c.activation;
  const output: ActivationName = linear || !unitRange ? 'none' : 'sigmoid';
  const inputDim = featureShape.reduce((a, b) => a * b, 1);
  switch (c.model) {
    case 'conv': {
      const shape = featureShape.length === 3 ? featureShape : featureShape.length === 2 ? [1, ...featureShape] : null;
      if (shape === null) {
        throw new UsageError(`tessera ${command}: the conv model needs images, [c, h, w] or [h, w] per row, but the data has rows of shape [${featureShape.join(', ')}]; give --input-shape c,h,w (e.g. 1,28,28 for 784 columns) or use a dense model`);
      }
      return { builder: 'convAutoencoder', options: { inputShape: shape as [number, number, number], channels: c.hidden, latent: c.latent, activation, output, batchNorm: c.batchNorm, init: c.init } };
    }
    case 'vae': {
      const loss = c.data.loss;
      if (loss === 'l1' || loss === 'huber') throw new UsageError(`tessera ${command}: the vae's reconstruction term is mse or bce, got --loss ${loss}`);
      const reconstruction = loss === 'mse' || (loss === 'auto' && !unitRange) ? 'mse' : 'bce';
      return { builder: 'denseVae', options: { inputDim, hidden: c.hidden, latent: c.latent, activation, output, beta: c.beta, reconstruction, init: c.init } };
    }
    default: {
      const options = { inputDim, hidden: c.hidden, latent: c.latent, activation, output, ...(c.dropout ? { dropout: c.dropout } : {}), batchNorm: c.batchNorm, init: c.init };
      if (c.model === 'denoising') return { builder: 'denseAutoencoder', options, wrap: { kind: 'denoising', noise: { kind: 'gaussian', std: c.noise, clip: unitRange ? [0, 1] : undefined } } };
      if (c.model === 'sparse') return { builder: 'denseAutoencoder', options, wrap: { kind: 'sparse', penalty: 'l1', weight: c.l1 > 0 ? c.l1 : DEFAULT_SPARSITY } };
      return { builder: 'denseAutoencoder', options };
    }
  }
}

/**
 * The model of `c`. Refused first, with the options and the figure, when training it cannot fit
 * in this machine's memory; an allocation that fails anyway is reported with the size options.
 */
export function buildModel(c: TrainConfig, generator: Generator): Autoencoder {
  const architecture = c.architecture ?? architectureFor(c);
  checkTrainingFits(c, memoryForTraining(), inputShapeOf(architecture));
  try {
    return buildArchitecture(architecture, generator);
  } catch (err) {
    if (err instanceof RangeError && /typed array length|Array buffer allocation failed/.test(err.message)) {
      throw new Error(`${sizeOptions(c)}: allocating the model failed (${err.message}); use smaller sizes`, { cause: err });
    }
    throw err;
  }
}

/** The shape of one input row: images for the conv model, flat vectors otherwise. */
export function featureShapeOf(c: TrainConfig): number[] {
  return inputShapeOf(c.architecture ?? architectureFor(c));
}

/** The weight penalty --l1 adds to the loss (the sparse model uses --l1 on its code instead). */
export function weightL1(c: TrainConfig): number {
  return c.model === 'sparse' ? 0 : c.l1;
}

/**
 * The training loss: mean squared error per value (the seed's) unless --loss says otherwise; a
 * VAE uses its own reconstruction term (summed over values, averaged over the batch) with its KL.
 */
export function trainingLoss(model: Autoencoder, loss: LossChoice = 'auto'): (pred: Tensor, target: Tensor) => Tensor {
  if (model instanceof VAE) return model.reconstructionLoss;
  switch (loss) {
    case 'bce': return (pred, target) => bceLoss(pred, target);
    case 'l1': return (pred, target) => l1Loss(pred, target);
    case 'huber': return (pred, target) => huberLoss(pred, target);
    default: return (pred, target) => mseLoss(pred, target);
  }
}

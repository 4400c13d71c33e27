// From a run's TrainConfig to a model: the seed's dense autoencoder and its variants. The same
// config always builds the same architecture, so a run folder's weights load back into it.
import type { Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { Autoencoder } from '../models/autoencoder.js';
import { denseAutoencoder } from '../models/dense-autoencoder.js';
import { convAutoencoder } from '../models/conv-autoencoder.js';
import { DenoisingAutoencoder } from '../models/denoising-autoencoder.js';
import { SparseAutoencoder } from '../models/sparse-autoencoder.js';
import { VAE, denseVae } from '../models/vae.js';
import { mseLoss } from '../losses/regression.js';
import type { TrainConfig } from './train-options.js';
import type { ActivationName } from '../nn/activations.js';
import { checkTrainingFits, sizeOptions } from './memory-estimate.js';

/** λ of the sparse model's L1 activity penalty when --l1 is 0. */
export const DEFAULT_SPARSITY = 1e-4;

/**
 * The model of `c`. Refused first, with the options and the figure, when training it cannot fit
 * in this machine's memory; an allocation that fails anyway is reported with the size options.
 */
export function buildModel(c: TrainConfig, generator: Generator): Autoencoder {
  checkTrainingFits(c);
  try {
    return buildModelUnchecked(c, generator);
  } catch (err) {
    if (err instanceof RangeError && /typed array length|Array buffer allocation failed/.test(err.message)) {
      throw new Error(`${sizeOptions(c)}: allocating the model failed (${err.message}); use smaller sizes`, { cause: err });
    }
    throw err;
  }
}

function buildModelUnchecked(c: TrainConfig, generator: Generator): Autoencoder {
  // 'linear' drops every nonlinearity, the output's too: a linear autoencoder trained with MSE
  // spans PCA's subspace, so its test error should approach PCA's (the seed's first question).
  const linear = c.activation === 'linear';
  const activation: ActivationName = c.activation === 'linear' ? 'none' : c.activation;
  const dense = () => denseAutoencoder({
    hidden: c.hidden, latent: c.latent, activation, output: linear ? 'none' : undefined, dropout: c.dropout || undefined, batchNorm: c.batchNorm, generator,
  });
  switch (c.model) {
    case 'dense': return dense();
    case 'denoising': return DenoisingAutoencoder.from(dense(), { noise: { kind: 'gaussian', std: c.noise, clip: [0, 1] }, generator });
    case 'sparse': return SparseAutoencoder.from(dense(), { penalty: 'l1', weight: c.l1 > 0 ? c.l1 : DEFAULT_SPARSITY });
    case 'vae': return denseVae({ hidden: c.hidden, latent: c.latent, activation, beta: c.beta, generator });
    case 'conv': return convAutoencoder({ channels: c.hidden, latent: c.latent, activation, batchNorm: c.batchNorm, generator });
  }
}

/** The shape of one input row: images for the conv model, flat vectors otherwise. */
export function featureShapeOf(c: TrainConfig): number[] {
  return c.model === 'conv' ? [1, 28, 28] : [784];
}

/** The weight penalty --l1 adds to the loss (the sparse model uses --l1 on its code instead). */
export function weightL1(c: TrainConfig): number {
  return c.model === 'sparse' ? 0 : c.l1;
}

/**
 * The training loss: mean squared error per pixel, as in the seed; a VAE uses its own
 * reconstruction term (BCE summed over pixels, averaged over the batch) to pair with its KL.
 */
export function trainingLoss(model: Autoencoder): (pred: Tensor, target: Tensor) => Tensor {
  if (model instanceof VAE) return model.reconstructionLoss;
  return (pred, target) => mseLoss(pred, target);
}

// Denoising autoencoder (Vincent et al. 2008): in training mode the input is corrupted before
// encoding while the target stays the clean x (fit passes y = x), so the model must learn to
// remove the noise. In eval mode the input goes through unchanged.
import type { Tensor } from '../tensor.js';
import type { Module } from '../nn/module.js';
import { defaultGenerator, type Generator } from '../random.js';
import { validateNoise, type NoiseSpec } from '../data/noise.js';
import { Autoencoder } from './autoencoder.js';
import { corrupt } from './corrupt.js';

export interface DenoisingOptions {
  noise: NoiseSpec;
  generator?: Generator;
}

export class DenoisingAutoencoder extends Autoencoder {
  readonly noise: NoiseSpec;
  readonly generator: Generator;

  constructor(encoder: Module, decoder: Module, options: DenoisingOptions) {
    super(encoder, decoder);
    validateNoise(options.noise);
    this.noise = options.noise;
    this.generator = options.generator ?? defaultGenerator;
  }

  /** Wraps an existing autoencoder's encoder and decoder (shared, not copied). */
  static from(ae: Autoencoder, options: DenoisingOptions): DenoisingAutoencoder {
    return new DenoisingAutoencoder(ae.encoder, ae.decoder, options);
  }

  override forward(x: Tensor): Tensor {
    return super.forward(this.training ? corrupt(x, this.noise, this.generator) : x);
  }
}

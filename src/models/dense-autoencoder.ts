// The dense autoencoder of the seed (Keras: Dense(64, relu) → Dense(32, relu) | Dense(64, relu)
// → Dense(784, sigmoid)), in PyTorch's naming: encoder.0 Linear(784 → 64), encoder.1 ReLU,
// encoder.2 Linear(64 → 32), encoder.3 ReLU, decoder.0 Linear(32 → 64), decoder.1 ReLU,
// decoder.2 Linear(64 → 784), decoder.3 Sigmoid. (The seed's decoder starts with a redundant
// Dense(32) on the 32-wide code; we leave it out.) Optional BatchNorm1d after each hidden Linear
// and Dropout after each hidden activation, in PyTorch's usual order Linear, BN, act, Dropout.
// Weights start as Keras's Dense does (glorot-uniform, zero bias) unless `init` says otherwise.
import type { Generator } from '../random.js';
import { defaultGenerator } from '../random.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { Sequential } from '../nn/sequential.js';
import { BatchNorm1d } from '../nn/batch-norm.js';
import { Dropout } from '../nn/dropout.js';
import { activationModule, type ActivationName } from '../nn/activations.js';
import { layerInit, type ModelInit } from '../nn/init.js';
import { Autoencoder } from './autoencoder.js';

export interface DenseAutoencoderOptions {
  inputDim?: number;
  /** Widths of the encoder's hidden layers; the decoder mirrors them. Default [64]. */
  hidden?: number[];
  latent?: number;
  activation?: ActivationName;
  /** Activation of the code layer (default: `activation`, as in the seed). */
  latentActivation?: ActivationName;
  /** Activation of the reconstruction (default 'sigmoid', for pixels in [0, 1]). */
  output?: ActivationName;
  dropout?: number;
  batchNorm?: boolean;
  generator?: Generator;
  /** Initial weights of the Linear layers (default 'glorot', Keras's Dense default; src/nn/init.ts). */
  init?: ModelInit;
}

function positiveInt(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`denseAutoencoder: ${what} must be a positive integer, got ${v}`);
}

/** Linear layers through `widths`, with BN / activation / dropout after every one but the last. */
export function mlp(widths: number[], options: { activation: ActivationName; last: ActivationName; dropout?: number; batchNorm?: boolean; generator: Generator; init?: ModelInit }): Sequential {
  const layers: Module[] = [];
  const init = layerInit(options.init);
  for (let i = 0; i + 1 < widths.length; i++) {
    const isLast = i + 2 === widths.length;
    layers.push(new Linear(widths[i], widths[i + 1], { generator: options.generator, ...init }));
    if (!isLast) {
      if (options.batchNorm) layers.push(new BatchNorm1d(widths[i + 1]));
      if (options.activation !== 'none') layers.push(activationModule(options.activation));
      if (options.dropout) layers.push(new Dropout(options.dropout, { generator: options.generator }));
    } else if (options.last !== 'none') {
      layers.push(activationModule(options.last));
    }
  }
  return new Sequential(...layers);
}

export function denseAutoencoder(options: DenseAutoencoderOptions = {}): Autoencoder {
  const inputDim = options.inputDim ?? 784;
  const hidden = options.hidden ?? [64];
  const latent = options.latent ?? 32;
  positiveInt('inputDim', inputDim);
  positiveInt('latent', latent);
  hidden.forEach((h, i) => positiveInt(`hidden[${i}]`, h));
  if (options.dropout !== undefined && !(options.dropout >= 0 && options.dropout < 1)) {
    throw new Error(`denseAutoencoder: dropout must be in [0, 1), got ${options.dropout}`);
  }
  const activation = options.activation ?? 'relu';
  const common = { activation, dropout: options.dropout, batchNorm: options.batchNorm, generator: options.generator ?? defaultGenerator, init: options.init };
  const encoder = mlp([inputDim, ...hidden, latent], { ...common, last: options.latentActivation ?? activation });
  const decoder = mlp([latent, ...[...hidden].reverse(), inputDim], { ...common, last: options.output ?? 'sigmoid' });
  return new Autoencoder(encoder, decoder);
}

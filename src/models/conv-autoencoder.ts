// A convolutional autoencoder for [n, c, h, w] images (default [n, 1, 28, 28]).
//   encoder: per width c_i: Conv2d(3×3, same padding), [BatchNorm2d], act, MaxPool2d(2)
//            28×28 → 14×14 → 7×7 for two levels; optional Flatten + Linear to a `latent` vector
//   decoder: [Linear + act + Unflatten], then per level (widest last): ConvTranspose2d(3×3,
//            stride 2, padding 1, output padding 1) or Upsample(2) + Conv2d(3×3), act;
//            then Conv2d(3×3) to the input channels and the output activation.
// Every Conv2d, ConvTranspose2d and Linear starts as Keras's Conv2D/Dense do (glorot-uniform
// weights, zero bias) unless `init` says otherwise.
import type { Generator } from '../random.js';
import { defaultGenerator } from '../random.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { Conv2d, ConvTranspose2d } from '../nn/conv.js';
import { MaxPool2d, Upsample } from '../nn/pooling.js';
import { BatchNorm2d } from '../nn/batch-norm.js';
import { Flatten, Unflatten } from '../nn/shape-layers.js';
import { Sequential } from '../nn/sequential.js';
import { activationModule, type ActivationName } from '../nn/activations.js';
import { layerInit, type ModelInit } from '../nn/init.js';
import { Autoencoder } from './autoencoder.js';

export interface ConvAutoencoderOptions {
  /** [channels, height, width] of one image; default [1, 28, 28]. */
  inputShape?: [number, number, number];
  /** Channels of each encoder level (each halves the size); default [16, 8]. */
  channels?: number[];
  /** A dense bottleneck of this width after the convolutions (default: none, the code is a feature map). */
  latent?: number;
  activation?: ActivationName;
  output?: ActivationName;
  /** How the decoder doubles the size: 'transpose' (ConvTranspose2d) or 'nearest' (Upsample + Conv2d). */
  upsample?: 'transpose' | 'nearest';
  batchNorm?: boolean;
  generator?: Generator;
  /** Initial weights (default 'glorot', Keras's default; src/nn/init.ts). */
  init?: ModelInit;
}

export function convAutoencoder(options: ConvAutoencoderOptions = {}): Autoencoder {
  const [inC, h, w] = options.inputShape ?? [1, 28, 28];
  const channels = options.channels ?? [16, 8];
  if (channels.length === 0 || !channels.every((c) => Number.isInteger(c) && c > 0)) {
    throw new Error(`convAutoencoder: channels must be a non-empty list of positive integers, got [${channels.join(', ')}]`);
  }
  const factor = 2 ** channels.length;
  if (h % factor !== 0 || w % factor !== 0) {
    throw new Error(`convAutoencoder: input ${h}×${w} must be divisible by ${factor} for ${channels.length} pooling levels`);
  }
  const act = options.activation ?? 'relu';
  const generator = options.generator ?? defaultGenerator;
  const init = { generator, ...layerInit(options.init) };
  const upsample = options.upsample ?? 'transpose';
  if (upsample !== 'transpose' && upsample !== 'nearest') throw new Error(`convAutoencoder: upsample must be 'transpose' or 'nearest', got '${String(upsample)}'`);
  const activate = (): Module[] => (act === 'none' ? [] : [activationModule(act)]);

  const enc: Module[] = [];
  let prev = inC;
  for (const c of channels) {
    enc.push(new Conv2d(prev, c, 3, { padding: 1, ...init }));
    if (options.batchNorm) enc.push(new BatchNorm2d(c));
    enc.push(...activate(), new MaxPool2d(2));
    prev = c;
  }
  const [ch, cw] = [h / factor, w / factor];
  const dec: Module[] = [];
  if (options.latent !== undefined) {
    if (!Number.isInteger(options.latent) || options.latent < 1) throw new Error(`convAutoencoder: latent must be a positive integer, got ${options.latent}`);
    enc.push(new Flatten(), new Linear(prev * ch * cw, options.latent, init));
    dec.push(new Linear(options.latent, prev * ch * cw, init), ...activate(), new Unflatten(1, [prev, ch, cw]));
  }
  for (const c of [...channels].reverse()) {
    if (upsample === 'transpose') {
      dec.push(new ConvTranspose2d(prev, c, 3, { stride: 2, padding: 1, outputPadding: 1, ...init }));
    } else {
      dec.push(new Upsample(2), new Conv2d(prev, c, 3, { padding: 1, ...init }));
    }
    if (options.batchNorm) dec.push(new BatchNorm2d(c));
    dec.push(...activate());
    prev = c;
  }
  dec.push(new Conv2d(prev, inC, 3, { padding: 1, ...init }));
  const out = options.output ?? 'sigmoid';
  if (out !== 'none') dec.push(activationModule(out));
  return new Autoencoder(new Sequential(...enc), new Sequential(...dec));
}

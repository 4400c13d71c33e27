// What an exporter needs to know about a model, read once from the module objects: a tree of
// plain layer descriptions with their state-dict prefixes. The ONNX writer (onnx-graph.ts) and
// the PyTorch writer (torch.ts) both walk this tree, so the list of supported modules and their
// hyper-parameters lives here and nowhere else.
import type { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Linear } from '../nn/linear.js';
import { Conv2d, ConvTranspose2d } from '../nn/conv.js';
import { AvgPool2d, MaxPool2d, Upsample } from '../nn/pooling.js';
import { BatchNorm1d, BatchNorm2d } from '../nn/batch-norm.js';
import { Dropout } from '../nn/dropout.js';
import { Flatten, Reshape, Unflatten } from '../nn/shape-layers.js';
import { ELU, GELU, Identity, LeakyReLU, LogSoftmax, ReLU, SELU, Sigmoid, Softmax, Softplus, Tanh } from '../nn/activations.js';
import { pair } from '../ops/conv.js';
import { Autoencoder } from '../models/autoencoder.js';
import { VAE } from '../models/vae.js';
import { DenoisingAutoencoder } from '../models/denoising-autoencoder.js';
import { SparseAutoencoder } from '../models/sparse-autoencoder.js';
import type { NoiseSpec } from '../data/noise.js';
import type { Activation } from '../backend/backend.js';

type P2 = [number, number];

export type ActivationLayer =
  | { kind: 'relu' } | { kind: 'sigmoid' } | { kind: 'tanh' } | { kind: 'selu' } | { kind: 'gelu' } | { kind: 'softplus' }
  | { kind: 'identity' }
  | { kind: 'leakyRelu'; slope: number }
  | { kind: 'elu'; alpha: number }
  | { kind: 'softmax' | 'log-softmax'; axis: number };

export type Layer = { name: string } & (
  | ActivationLayer
  | { kind: 'sequential'; layers: Layer[] }
  /** activation: the one fused into the matmul's epilogue (Linear's option), 'none' if none. */
  | { kind: 'linear'; inFeatures: number; outFeatures: number; bias: boolean; activation: Activation }
  | { kind: 'conv2d' | 'conv-transpose2d'; inChannels: number; outChannels: number; kernel: P2; stride: P2; padding: P2; dilation: P2; outputPadding: P2; bias: boolean }
  | { kind: 'max-pool2d'; kernel: P2; stride: P2 }
  | { kind: 'avg-pool2d'; kernel: P2; stride: P2; padding: P2 }
  | { kind: 'upsample'; scale: P2 }
  | { kind: 'batch-norm1d' | 'batch-norm2d'; features: number; eps: number; momentum: number; affine: boolean }
  | { kind: 'dropout'; p: number }
  | { kind: 'flatten'; startDim: number; endDim: number }
  | { kind: 'unflatten'; dim: number; sizes: number[] }
  | { kind: 'reshape'; shape: number[] }
);

/** The autoencoder around the layers: which family member, and what its training adds. */
export type ModelKind =
  | { kind: 'autoencoder' }
  | { kind: 'denoising'; noise: NoiseSpec }
  | { kind: 'sparse'; penalty: 'l1' | 'kl'; weight: number; rho: number }
  | { kind: 'vae'; latent: number; beta: number; reconstruction: 'bce' | 'mse' };

export interface ModelDescription {
  model: ModelKind;
  encoder: Layer;
  decoder: Layer;
}

const ACTIVATION_FUSED: Record<Activation, true> = { none: true, relu: true, sigmoid: true, tanh: true };

/** The description of one module (recursively); `name` is its state-dict prefix ('encoder.0'). */
function describeLayer(m: Module, name: string): Layer {
  if (m instanceof Sequential) return { name, kind: 'sequential', layers: m.layers.map((c, i) => describeLayer(c, name ? `${name}.${i}` : String(i))) };
  if (m instanceof Linear) {
    if (!ACTIVATION_FUSED[m.activation]) throw new Error(`export: ${name} ${m.describe()} has an unknown fused activation '${m.activation}'`);
    return { name, kind: 'linear', inFeatures: m.inFeatures, outFeatures: m.outFeatures, bias: m.bias !== null, activation: m.activation };
  }
  if (m instanceof Conv2d || m instanceof ConvTranspose2d) {
    const layer = m instanceof Conv2d ? 'Conv2d' : 'ConvTranspose2d';
    const o = m.options as { stride?: P2 | number; padding?: P2 | number; dilation?: P2 | number; outputPadding?: P2 | number };
    return {
      name, kind: m instanceof Conv2d ? 'conv2d' : 'conv-transpose2d', inChannels: m.inChannels, outChannels: m.outChannels, kernel: m.kernelSize,
      stride: pair(layer, 'stride', o.stride, 1, 1), padding: pair(layer, 'padding', o.padding, 0, 0),
      dilation: pair(layer, 'dilation', o.dilation, 1, 1), outputPadding: pair(layer, 'outputPadding', o.outputPadding, 0, 0), bias: m.bias !== null,
    };
  }
  if (m instanceof MaxPool2d) {
    const kernel = pair('MaxPool2d', 'kernelSize', m.kernelSize, 1, 1);
    return { name, kind: 'max-pool2d', kernel, stride: m.stride === undefined ? kernel : pair('MaxPool2d', 'stride', m.stride, 1, 1) };
  }
  if (m instanceof AvgPool2d) {
    const kernel = pair('AvgPool2d', 'kernelSize', m.kernelSize, 1, 1);
    return { name, kind: 'avg-pool2d', kernel, stride: m.stride === undefined ? kernel : pair('AvgPool2d', 'stride', m.stride, 1, 1), padding: pair('AvgPool2d', 'padding', m.padding, 0, 0) };
  }
  if (m instanceof Upsample) return { name, kind: 'upsample', scale: pair('Upsample', 'scaleFactor', m.scaleFactor, 1, 1) };
  if (m instanceof BatchNorm1d || m instanceof BatchNorm2d) {
    if (m.runningMean === null) {
      throw new Error(`export: ${name} ${m.describe()} keeps no running statistics (trackRunningStats false), so it has no eval form to export`);
    }
    return { name, kind: m instanceof BatchNorm1d ? 'batch-norm1d' : 'batch-norm2d', features: m.numFeatures, eps: m.eps, momentum: m.momentum, affine: m.weight !== null };
  }
  if (m instanceof Dropout) return { name, kind: 'dropout', p: m.p };
  if (m instanceof Flatten) return { name, kind: 'flatten', startDim: m.startDim, endDim: m.endDim };
  if (m instanceof Unflatten) return { name, kind: 'unflatten', dim: m.dim, sizes: [...m.sizes] };
  if (m instanceof Reshape) return { name, kind: 'reshape', shape: [...m.shape] };
  if (m instanceof ReLU) return { name, kind: 'relu' };
  if (m instanceof Sigmoid) return { name, kind: 'sigmoid' };
  if (m instanceof Tanh) return { name, kind: 'tanh' };
  if (m instanceof SELU) return { name, kind: 'selu' };
  if (m instanceof GELU) return { name, kind: 'gelu' };
  if (m instanceof Softplus) return { name, kind: 'softplus' };
  if (m instanceof Identity) return { name, kind: 'identity' };
  if (m instanceof LeakyReLU) return { name, kind: 'leakyRelu', slope: m.negativeSlope };
  if (m instanceof ELU) return { name, kind: 'elu', alpha: m.alpha };
  if (m instanceof Softmax) return { name, kind: 'softmax', axis: m.axis };
  if (m instanceof LogSoftmax) return { name, kind: 'log-softmax', axis: m.axis };
  throw new Error(`export: ${name || 'the model'} is a ${m.describe()}, which the exporters do not know (supported: Sequential, Linear, Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, Upsample, BatchNorm1d/2d, Dropout, Flatten, Unflatten, Reshape and the activation modules)`);
}

/** The family member and its encoder and decoder. */
export function describeModel(model: Autoencoder): ModelDescription {
  if (!(model instanceof Autoencoder)) throw new Error(`export: expected an Autoencoder (dense, conv, denoising, sparse or VAE), got ${(model as Module).describe()}`);
  let kind: ModelKind = { kind: 'autoencoder' };
  if (model instanceof VAE) kind = { kind: 'vae', latent: model.latent, beta: model.beta, reconstruction: model.reconstruction };
  else if (model instanceof DenoisingAutoencoder) kind = { kind: 'denoising', noise: model.noise };
  else if (model instanceof SparseAutoencoder) kind = { kind: 'sparse', penalty: model.penalty, weight: model.weight, rho: model.rho };
  else if (model.constructor !== Autoencoder) throw new Error(`export: ${model.constructor.name} is not one of the family members the exporters know (Autoencoder, DenoisingAutoencoder, SparseAutoencoder, VAE)`);
  return { model: kind, encoder: describeLayer(model.encoder, 'encoder'), decoder: describeLayer(model.decoder, 'decoder') };
}

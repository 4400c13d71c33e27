// Layers and the Module base class.
export { Module } from './module.js';
export type { LoadStateDictOptions } from './module.js';
export { Linear } from './linear.js';
export type { LinearOptions } from './linear.js';
export { Conv2d, ConvTranspose2d } from './conv.js';
export type { Conv2dLayerOptions, ConvTranspose2dLayerOptions } from './conv.js';
export { Flatten, Unflatten, Reshape } from './shape-layers.js';
export { MaxPool2d, AvgPool2d, Upsample } from './pooling.js';
export { Dropout } from './dropout.js';
export { BatchNorm1d, BatchNorm2d } from './batch-norm.js';
export type { BatchNormOptions } from './batch-norm.js';
export { ReLU, LeakyReLU, ELU, SELU, GELU, Sigmoid, Tanh, Softplus, Softmax, LogSoftmax, Identity, activationModule, activationName, ACTIVATION_NAMES, ACTIVATION_ALIASES } from './activations.js';
export type { ActivationName } from './activations.js';
export { Sequential } from './sequential.js';
export * as init from './init.js';

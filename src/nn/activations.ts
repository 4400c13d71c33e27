// Activation modules: one per activation op of the engine, with no parameters.
import type { Tensor } from '../tensor.js';
import { elu, gelu, leakyRelu, logSoftmax, relu, selu, sigmoid, softmax, softplus, tanh } from '../ops/activation.js';
import { Module } from './module.js';

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return relu(x); }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return leakyRelu(x, this.negativeSlope); }
  override describe(): string { return `LeakyReLU(${this.negativeSlope})`; }
}

export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return elu(x, this.alpha); }
  override describe(): string { return `ELU(${this.alpha})`; }
}

export class SELU extends Module {
  forward(x: Tensor): Tensor { return selu(x); }
}

/** The exact GELU, x·Φ(x). */
export class GELU extends Module {
  forward(x: Tensor): Tensor { return gelu(x); }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return sigmoid(x); }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor { return tanh(x); }
}

export class Softplus extends Module {
  forward(x: Tensor): Tensor { return softplus(x); }
}

export class Softmax extends Module {
  constructor(readonly axis = -1) { super(); }
  forward(x: Tensor): Tensor { return softmax(x, this.axis); }
  override describe(): string { return `Softmax(axis ${this.axis})`; }
}

export class LogSoftmax extends Module {
  constructor(readonly axis = -1) { super(); }
  forward(x: Tensor): Tensor { return logSoftmax(x, this.axis); }
  override describe(): string { return `LogSoftmax(axis ${this.axis})`; }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor { return x; }
}

export type ActivationName = 'relu' | 'leaky-relu' | 'elu' | 'selu' | 'gelu' | 'sigmoid' | 'tanh' | 'softplus' | 'softmax' | 'none';

export const ACTIVATION_NAMES: readonly ActivationName[] = ['relu', 'leaky-relu', 'elu', 'selu', 'gelu', 'sigmoid', 'tanh', 'softplus', 'softmax', 'none'];

/** An activation module by name ('none' is the identity). */
export function activationModule(name: ActivationName): Module {
  switch (name) {
    case 'relu': return new ReLU();
    case 'leaky-relu': return new LeakyReLU();
    case 'elu': return new ELU();
    case 'selu': return new SELU();
    case 'gelu': return new GELU();
    case 'sigmoid': return new Sigmoid();
    case 'tanh': return new Tanh();
    case 'softplus': return new Softplus();
    case 'softmax': return new Softmax();
    case 'none': return new Identity();
    default: throw new Error(`activationModule: unknown activation '${String(name)}'; expected one of ${ACTIVATION_NAMES.join(', ')}`);
  }
}

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

/**
 * The activations by name: one list for the layers, the model builders, the CLI's --activation
 * and the exporters. Each is the name of its op (src/ops/activation.ts), and 'none' is the
 * identity; the activations a matmul fuses (ACTIVATIONS in src/backend/opcodes.ts) are among them.
 */
export const ACTIVATION_NAMES = ['relu', 'leakyRelu', 'elu', 'selu', 'gelu', 'sigmoid', 'tanh', 'softplus', 'softmax', 'none'] as const;
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

/**
 * Other spellings that mean a name of the list, mapped here and nowhere else: the kebab case the
 * CLI accepts (--activation leaky-relu), which run folders written before the list was one
 * also hold in their architecture.
 */
export const ACTIVATION_ALIASES: Readonly<Record<string, ActivationName>> = Object.freeze({ 'leaky-relu': 'leakyRelu' });

/** The name of the list that `name` is or stands for; an error naming the list for anything else. */
export function activationName(name: string, op = 'activationName'): ActivationName {
  if ((ACTIVATION_NAMES as readonly string[]).includes(name)) return name as ActivationName;
  const alias = Object.hasOwn(ACTIVATION_ALIASES, name) ? ACTIVATION_ALIASES[name] : undefined;
  if (alias !== undefined) return alias;
  throw new Error(`${op}: unknown activation '${String(name)}'; expected one of ${ACTIVATION_NAMES.join(', ')}`);
}

/** An activation module by name ('none' is the identity; an alias is read as its name). */
export function activationModule(name: ActivationName): Module {
  switch (activationName(name, 'activationModule')) {
    case 'relu': return new ReLU();
    case 'leakyRelu': return new LeakyReLU();
    case 'elu': return new ELU();
    case 'selu': return new SELU();
    case 'gelu': return new GELU();
    case 'sigmoid': return new Sigmoid();
    case 'tanh': return new Tanh();
    case 'softplus': return new Softplus();
    case 'softmax': return new Softmax();
    case 'none': return new Identity();
  }
}

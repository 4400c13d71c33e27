// Weight initialisers, as in torch.nn.init. Each returns a new leaf tensor drawn from a seeded
// Generator (on the host, then uploaded once), in the default dtype on the current backend.
//   fan_in  = shape[1]·receptive, fan_out = shape[0]·receptive, receptive = ∏ shape[2:]
//   xavier uniform   U(−a, a),  a = gain·√(6 / (fan_in + fan_out))
//   xavier normal    N(0, σ²),  σ = gain·√(2 / (fan_in + fan_out))
//   kaiming uniform  U(−b, b),  b = gain·√(3 / fan),   gain = √(2 / (1 + a²)) for leaky_relu
//   kaiming normal   N(0, σ²),  σ = gain / √fan
import type { Tensor } from '../tensor.js';
import { fromTyped } from '../ops/creation.js';
import { getDefaultDType } from '../ops/op.js';
import { defaultGenerator, type Generator } from '../random.js';

export type InitName = 'xavier-uniform' | 'xavier-normal' | 'kaiming-uniform' | 'kaiming-normal' | 'zeros';
export type Nonlinearity = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

export interface InitOptions {
  generator?: Generator;
  /** Scale factor (default 1 for xavier; from `nonlinearity` for kaiming). */
  gain?: number;
}

export interface KaimingOptions {
  generator?: Generator;
  /** Negative slope of the leaky ReLU that follows (PyTorch's `a`; default 0). */
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}

/** PyTorch's _calculate_fan_in_and_fan_out. */
export function fanInOut(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new Error(`init: fan in and fan out need a tensor of rank ≥ 2, got shape [${shape.join(', ')}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

/** PyTorch's calculate_gain. */
function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': { const a = param ?? 0.01; return Math.sqrt(2 / (1 + a * a)); }
    case 'selu': return 3 / 4;
  }
}

function host(shape: readonly number[], fill: (out: Float32Array | Float64Array) => void): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = getDefaultDType() === 'float64' ? new Float64Array(n) : new Float32Array(n);
  fill(out);
  return fromTyped(out, shape);
}

/** U(low, high). */
export function uniform(shape: readonly number[], low: number, high: number, generator: Generator = defaultGenerator): Tensor {
  if (!(low <= high)) throw new Error(`init.uniform: low ${low} must not exceed high ${high}`);
  return host(shape, (out) => generator.fillUniform(out, low, high));
}

/** N(mean, std²). */
export function normal(shape: readonly number[], mean: number, std: number, generator: Generator = defaultGenerator): Tensor {
  if (!(std >= 0)) throw new Error(`init.normal: std must be ≥ 0, got ${std}`);
  return host(shape, (out) => generator.fillNormal(out, mean, std));
}

export function zeros(shape: readonly number[]): Tensor {
  return host(shape, () => {});
}

export function xavierUniform(shape: readonly number[], options: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fanInOut(shape);
  const a = (options.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(shape, -a, a, options.generator);
}

export function xavierNormal(shape: readonly number[], options: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fanInOut(shape);
  return normal(shape, 0, (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), options.generator);
}

function kaimingStd(shape: readonly number[], options: KaimingOptions): number {
  const { fanIn, fanOut } = fanInOut(shape);
  const fan = (options.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  const gain = calculateGain(options.nonlinearity ?? 'leaky_relu', options.a ?? 0);
  return gain / Math.sqrt(fan);
}

export function kaimingUniform(shape: readonly number[], options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(shape, options);
  return uniform(shape, -bound, bound, options.generator);
}

export function kaimingNormal(shape: readonly number[], options: KaimingOptions = {}): Tensor {
  return normal(shape, 0, kaimingStd(shape, options), options.generator);
}

/** A weight by name; 'kaiming-*' assume a following ReLU (He et al.), 'xavier-*' gain 1. */
export function initByName(name: InitName, shape: readonly number[], generator: Generator = defaultGenerator): Tensor {
  switch (name) {
    case 'xavier-uniform': return xavierUniform(shape, { generator });
    case 'xavier-normal': return xavierNormal(shape, { generator });
    case 'kaiming-uniform': return kaimingUniform(shape, { generator, nonlinearity: 'relu' });
    case 'kaiming-normal': return kaimingNormal(shape, { generator, nonlinearity: 'relu' });
    case 'zeros': return zeros(shape);
    default: throw new Error(`init: unknown initialiser '${String(name)}'; expected xavier-uniform, xavier-normal, kaiming-uniform, kaiming-normal or zeros`);
  }
}

/**
 * PyTorch's default for Linear and Conv: kaiming_uniform(a=√5) on the weight, which is
 * U(−1/√fan_in, 1/√fan_in), and the bias U(−1/√fan_in, 1/√fan_in).
 */
export function defaultWeight(shape: readonly number[], generator: Generator = defaultGenerator): Tensor {
  return kaimingUniform(shape, { a: Math.sqrt(5), generator });
}

export function defaultBias(n: number, fanIn: number, generator: Generator = defaultGenerator): Tensor {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniform([n], -bound, bound, generator);
}

/**
 * How the model builders (denseAutoencoder, mlp, convAutoencoder, denseVae) initialise their
 * Linear and Conv layers:
 *   glorot  Keras's Dense/Conv2D default: weights U(−a, a), a = √(6 / (fan_in + fan_out)), bias 0
 *   he      Keras's he_uniform: weights U(−b, b), b = √(6 / fan_in), bias 0
 *   torch   PyTorch's default (also what `new Linear(...)` gets): U(±1/√fan_in) for weight and bias
 * The builders default to glorot, the seed's (Keras) init; layers built by hand keep PyTorch's.
 */
export const MODEL_INITS = ['glorot', 'he', 'torch'] as const;
export type ModelInit = (typeof MODEL_INITS)[number];

/** The layer options of a builder's init. */
export function layerInit(init: ModelInit = 'glorot'): { weightInit?: InitName; biasInit?: 'zeros' } {
  switch (init) {
    case 'glorot': return { weightInit: 'xavier-uniform', biasInit: 'zeros' };
    case 'he': return { weightInit: 'kaiming-uniform', biasInit: 'zeros' };
    case 'torch': return {};
    default: throw new Error(`init: unknown model init '${String(init)}'; expected ${MODEL_INITS.join(', ')}`);
  }
}

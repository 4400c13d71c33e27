// Conv2d and ConvTranspose2d, PyTorch's layouts:
//   Conv2d           weight [cout, cin, kh, kw],  x [n, cin, h, w] → [n, cout, oh, ow]
//   ConvTranspose2d  weight [cin, cout, kh, kw],  x [n, cin, h, w] → [n, cout, oh, ow]
// Default initialisation as PyTorch's _ConvNd: kaiming_uniform(a=√5) on the weight and
// U(−1/√fan_in, 1/√fan_in) on the bias, fan_in = weight.shape[1]·kh·kw (so cout·kh·kw for the
// transpose, whose weight is laid out [cin, cout, …]).
import type { Activation } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { conv2d, convTranspose2d, pair, type Pair } from '../ops/conv.js';
import { conv2dMaxPool } from '../ops/pool.js';
import { defaultGenerator, type Generator } from '../random.js';
import { Module } from './module.js';
import { defaultBias, defaultWeight, fanInOut, initByName, zeros, type InitName } from './init.js';

export interface Conv2dLayerOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  bias?: boolean;
  generator?: Generator;
  weightInit?: InitName;
  biasInit?: 'zeros';
}

export interface ConvTranspose2dLayerOptions extends Conv2dLayerOptions {
  outputPadding?: Pair;
}

function checkChannels(layer: string, cin: number, cout: number): void {
  for (const [what, v] of [['inChannels', cin], ['outChannels', cout]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${layer}: ${what} must be a positive integer, got ${v}`);
  }
}

function makeParams(m: Module, shape: number[], outChannels: number, options: Conv2dLayerOptions): { weight: Tensor; bias: Tensor | null } {
  const gen = options.generator ?? defaultGenerator;
  const weight = m.registerParameter('weight', options.weightInit ? initByName(options.weightInit, shape, gen) : defaultWeight(shape, gen));
  const { fanIn } = fanInOut(shape);
  const bias = options.bias === false ? null
    : m.registerParameter('bias', options.biasInit === 'zeros' ? zeros([outChannels]) : defaultBias(outChannels, fanIn, gen));
  return { weight, bias };
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, readonly options: Conv2dLayerOptions = {}) {
    super();
    checkChannels('Conv2d', inChannels, outChannels);
    this.kernelSize = pair('Conv2d', 'kernelSize', kernelSize, 1, 1);
    ({ weight: this.weight, bias: this.bias } = makeParams(this, [outChannels, inChannels, ...this.kernelSize], outChannels, options));
  }

  forward(x: Tensor): Tensor {
    return this.forwardWith(x, 'none');
  }

  /** Forward with an activation in the kernel's epilogue (Sequential fuses a following ReLU/Sigmoid/Tanh). */
  forwardWith(x: Tensor, activation: Activation): Tensor {
    const { stride, padding, dilation } = this.options;
    return conv2d(x, this.weight, this.bias, { stride, padding, dilation, activation });
  }

  /** Forward, a 2×2, stride-2 max pool and an activation, as one op (Sequential fuses a following MaxPool2d(2)). */
  forwardPooled(x: Tensor, activation: Activation = 'none'): Tensor {
    const { stride, padding, dilation } = this.options;
    return conv2dMaxPool(x, this.weight, this.bias, { stride, padding, dilation, activation });
  }

  override describe(): string {
    return `Conv2d(${this.inChannels} → ${this.outChannels}, ${this.kernelSize.join('×')})`;
  }
}

export class ConvTranspose2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, readonly options: ConvTranspose2dLayerOptions = {}) {
    super();
    checkChannels('ConvTranspose2d', inChannels, outChannels);
    this.kernelSize = pair('ConvTranspose2d', 'kernelSize', kernelSize, 1, 1);
    ({ weight: this.weight, bias: this.bias } = makeParams(this, [inChannels, outChannels, ...this.kernelSize], outChannels, options));
  }

  forward(x: Tensor): Tensor {
    return this.forwardWith(x, 'none');
  }

  /** Forward with an activation in the kernel's epilogue, as Conv2d's. */
  forwardWith(x: Tensor, activation: Activation): Tensor {
    const { stride, padding, dilation, outputPadding } = this.options;
    return convTranspose2d(x, this.weight, this.bias, { stride, padding, dilation, outputPadding, activation });
  }

  override describe(): string {
    return `ConvTranspose2d(${this.inChannels} → ${this.outChannels}, ${this.kernelSize.join('×')})`;
  }
}

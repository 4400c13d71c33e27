// Linear: y = act(x·Wᵀ + b), PyTorch's layout (weight [out, in], bias [out]), one fused op.
import type { Activation } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { linear } from '../ops/matmul.js';
import { defaultGenerator, type Generator } from '../random.js';
import { Module } from './module.js';
import { defaultBias, defaultWeight, initByName, zeros, type InitName } from './init.js';

export interface LinearOptions {
  bias?: boolean;
  /** An activation fused into the matmul's epilogue (default 'none'). */
  activation?: Activation;
  generator?: Generator;
  /** Weight initialiser; default PyTorch's kaiming_uniform(a=√5). */
  weightInit?: InitName;
  /** Bias initialiser; default PyTorch's U(−1/√in, 1/√in). */
  biasInit?: 'zeros';
}

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  activation: Activation;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    for (const [what, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`Linear: ${what} must be a positive integer, got ${v}`);
    }
    const gen = options.generator ?? defaultGenerator;
    const shape = [outFeatures, inFeatures];
    this.weight = this.registerParameter('weight', options.weightInit ? initByName(options.weightInit, shape, gen) : defaultWeight(shape, gen));
    this.bias = options.bias === false ? null
      : this.registerParameter('bias', options.biasInit === 'zeros' ? zeros([outFeatures]) : defaultBias(outFeatures, inFeatures, gen));
    this.activation = options.activation ?? 'none';
  }

  forward(x: Tensor): Tensor {
    return this.forwardWith(x, this.activation);
  }

  /** Forward with another epilogue activation (Sequential fuses a following ReLU/Sigmoid/Tanh). */
  forwardWith(x: Tensor, activation: Activation): Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw new Error(`Linear(${this.inFeatures} → ${this.outFeatures}): input [${x.shape.join(', ')}] does not end in ${this.inFeatures} features`);
    }
    return linear(x, this.weight, this.bias, activation);
  }

  override describe(): string {
    return `Linear(${this.inFeatures} → ${this.outFeatures}${this.activation !== 'none' ? `, ${this.activation}` : ''})`;
  }
}

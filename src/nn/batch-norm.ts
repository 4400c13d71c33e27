// Batch normalisation (Ioffe & Szegedy 2015), PyTorch's semantics:
//   training:  μ_B = mean over (batch, spatial), σ²_B = biased variance over the same axes,
//              y = (x − μ_B)/√(σ²_B + ε)·γ + β, and the running statistics move by momentum m:
//              running_mean ← (1 − m)·running_mean + m·μ_B
//              running_var  ← (1 − m)·running_var  + m·σ²_B·N/(N − 1)   (unbiased, N values per channel)
//   eval:      y = (x − running_mean)/√(running_var + ε)·γ + β
// Buffers and parameters carry PyTorch's names: weight, bias, running_mean, running_var,
// num_batches_tracked (a float scalar here; PyTorch stores it as int64).
import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd.js';
import { full, zeros } from '../ops/creation.js';
import { add, affine, mul, sqrt, square, sub, div } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { assign, reshape } from '../ops/shape-ops.js';
import { shapeStr } from '../shape.js';
import { Module } from './module.js';

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch in the running statistics (PyTorch's default 0.1). */
  momentum?: number;
  /** Learnable γ (weight) and β (bias), default true. */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true). */
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number;

  constructor(readonly numFeatures: number, options: BatchNormOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new Error(`${this.constructor.name}: numFeatures must be a positive integer, got ${numFeatures}`);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    const learn = options.affine ?? true;
    this.weight = learn ? this.registerParameter('weight', full([numFeatures], 1)) : null;
    this.bias = learn ? this.registerParameter('bias', zeros([numFeatures])) : null;
    const track = options.trackRunningStats ?? true;
    this.runningMean = track ? this.registerBuffer('running_mean', zeros([numFeatures])) : null;
    this.runningVar = track ? this.registerBuffer('running_var', full([numFeatures], 1)) : null;
    this.numBatchesTracked = track ? this.registerBuffer('num_batches_tracked', zeros([])) : null;
  }

  /** Axes reduced per channel, and the shape that broadcasts a [c] vector against x. */
  protected abstract layout(x: Tensor): { axes: number[]; channelShape: number[] };

  forward(x: Tensor): Tensor {
    const { axes, channelShape } = this.layout(x);
    const perChannel = (t: Tensor) => reshape(t, channelShape);
    let xHat: Tensor;
    if (this.training || this.runningMean === null || this.runningVar === null) {
      const count = x.size / this.numFeatures;
      if (this.training && count < 2) {
        throw new Error(`${this.constructor.name}: expected more than 1 value per channel when training, got input ${shapeStr(x.shape)}`);
      }
      const mu = mean(x, axes, true);
      const centered = sub(x, mu);
      const variance = mean(square(centered), axes, true);            // biased: divides by N
      xHat = div(centered, sqrt(add(variance, this.eps)));
      if (this.training && this.runningMean && this.runningVar && this.numBatchesTracked) {
        const m = this.momentum, rm = this.runningMean, rv = this.runningVar, nbt = this.numBatchesTracked;
        noGrad(() => {
          assign(rm, add(mul(rm, 1 - m), mul(reshape(mu, [this.numFeatures]), m)));
          assign(rv, add(mul(rv, 1 - m), mul(reshape(variance, [this.numFeatures]), (m * count) / (count - 1))));
          assign(nbt, affine(nbt, 1, 1));
        });
      }
    } else {
      xHat = div(sub(x, perChannel(this.runningMean)), perChannel(sqrt(add(this.runningVar, this.eps))));
    }
    if (this.weight && this.bias) return add(mul(xHat, perChannel(this.weight)), perChannel(this.bias));
    return xHat;
  }

  override describe(): string {
    return `${this.constructor.name}(${this.numFeatures})`;
  }
}

/** Over [n, c] (per feature) or [n, c, l] (per channel, over batch and length). */
export class BatchNorm1d extends BatchNormBase {
  protected layout(x: Tensor): { axes: number[]; channelShape: number[] } {
    if ((x.rank !== 2 && x.rank !== 3) || x.shape[1] !== this.numFeatures) {
      throw new Error(`BatchNorm1d(${this.numFeatures}): expected input [n, ${this.numFeatures}] or [n, ${this.numFeatures}, l], got ${shapeStr(x.shape)}`);
    }
    return x.rank === 2 ? { axes: [0], channelShape: [1, this.numFeatures] } : { axes: [0, 2], channelShape: [1, this.numFeatures, 1] };
  }
}

/** Over [n, c, h, w], per channel. */
export class BatchNorm2d extends BatchNormBase {
  protected layout(x: Tensor): { axes: number[]; channelShape: number[] } {
    if (x.rank !== 4 || x.shape[1] !== this.numFeatures) {
      throw new Error(`BatchNorm2d(${this.numFeatures}): expected input [n, ${this.numFeatures}, h, w], got ${shapeStr(x.shape)}`);
    }
    return { axes: [0, 2, 3], channelShape: [1, this.numFeatures, 1, 1] };
  }
}

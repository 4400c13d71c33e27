// Dropout (inverted): in training, each element is zeroed with probability p and the survivors
// are scaled by 1/(1 − p), so the expected value is unchanged and eval mode is the identity.
import type { Tensor } from '../tensor.js';
import { bernoulli } from '../ops/random.js';
import { mul } from '../ops/elementwise.js';
import { defaultGenerator, type Generator } from '../random.js';
import { Module } from './module.js';

export class Dropout extends Module {
  readonly generator: Generator;

  constructor(readonly p = 0.5, options: { generator?: Generator } = {}) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
    this.generator = options.generator ?? defaultGenerator;
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    // The mask, already scaled (1/(1 − p) or 0), is drawn by the backend's kernel where x lives.
    const keep = bernoulli(x.shape, 1 - this.p, { generator: this.generator, backend: x.backend, dtype: x.dtype, value: 1 / (1 - this.p) });
    return mul(x, keep);
  }

  override describe(): string { return `Dropout(${this.p})`; }
}

// Dropout (inverted): in training, each element is zeroed with probability p and the survivors
// are scaled by 1/(1 − p), so the expected value is unchanged and eval mode is the identity.
import type { Tensor } from '../tensor.js';
import { bernoulli } from '../ops/creation.js';
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
    // The mask is drawn on the host from the seeded generator and uploaded once (no readback).
    const keep = bernoulli(x.shape, 1 - this.p, { generator: this.generator, backend: x.backend, dtype: x.dtype });
    return mul(x, mul(keep, 1 / (1 - this.p)));
  }

  override describe(): string { return `Dropout(${this.p})`; }
}

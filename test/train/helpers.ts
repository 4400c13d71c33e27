// Small models and synthetic data for the training tests.
import { Generator, tensor, isGradEnabled, type Tensor } from '../../src/index.js';
import { Module } from '../../src/nn/module.js';
import { Linear, Sequential, Tanh } from '../../src/nn/index.js';

/** A 4 → 8 → 2 MLP with seeded initial weights. */
export function mlp(seed: number): Sequential {
  const gen = new Generator(seed);
  return new Sequential(new Linear(4, 8, { generator: gen }), new Tanh(), new Linear(8, 2, { generator: gen }));
}

/** x uniform in [-1, 1]⁴, y = (sin(x₀ + x₁), x₂·x₃): N rows. */
export function regression(n: number, seed: number): { x: Tensor; y: Tensor; xs: Float32Array; ys: Float32Array } {
  const gen = new Generator(seed);
  const xs = new Float32Array(n * 4);
  const ys = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) xs[i * 4 + j] = gen.uniform() * 2 - 1;
    ys[i * 2] = Math.sin(xs[i * 4] + xs[i * 4 + 1]);
    ys[i * 2 + 1] = xs[i * 4 + 2] * xs[i * 4 + 3];
  }
  return { x: tensor(xs, [n, 4]), y: tensor(ys, [n, 2]), xs, ys };
}

/** Wraps a module and records, for every forward, the mode, whether grad was on, and the input rows. */
export class Probe extends Module {
  readonly calls: { training: boolean; grad: boolean; rows: number; input: Float32Array }[] = [];
  constructor(readonly inner: Module, private readonly extraLoss = 0) {
    super();
    this.registerModule('inner', inner);
  }
  forward(x: Tensor): Tensor {
    this.calls.push({ training: this.training, grad: isGradEnabled(), rows: x.shape[0], input: x.dataSync() as Float32Array });
    if (this.extraLoss !== 0) this.addLoss(tensor(this.extraLoss));
    return this.inner.forward(x);
  }
}

/** A module with no parameters of its own: y = x·w for a trainable scalar-ish weight [1, 1]. */
export class Scale extends Module {
  readonly w: Tensor;
  constructor(value: number) {
    super();
    this.w = this.registerParameter('w', tensor([[value]], [1, 1], { requiresGrad: true }));
  }
  forward(x: Tensor): Tensor {
    return x.matmul(this.w);
  }
}

// Small hand-built models and a plain SGD for the inspect tests: they depend on the engine only,
// so the tests do not wait for src/nn or src/optim.
import { Generator, linear, randn, type Tensor } from '../../src/index.js';
import type { StepModel, StepOptimizer } from '../../src/inspect/step-trace.js';

/** A two-layer perceptron: linear+relu, then linear+sigmoid (the autoencoder's building blocks). */
export class TinyMlp implements StepModel {
  readonly params: [string, Tensor][];
  constructor(readonly sizes: [number, number, number], seed = 1) {
    const gen = new Generator(seed);
    const [a, b, c] = sizes;
    const p = (shape: number[], s: number) => randn(shape, { generator: gen }).mul(s).detach().requiresGrad_();
    this.params = [
      ['0.weight', p([b, a], 1 / Math.sqrt(a))], ['0.bias', p([b], 0.1)],
      ['1.weight', p([c, b], 1 / Math.sqrt(b))], ['1.bias', p([c], 0.1)],
    ];
    for (const [n, t] of this.params) t.name = n;
  }
  forward(x: Tensor): Tensor {
    const [w0, b0, w1, b1] = this.params.map(([, t]) => t);
    return linear(linear(x, w0, b0, 'relu'), w1, b1, 'sigmoid');
  }
  namedParameters(): [string, Tensor][] { return this.params; }
}

/** p ← p − lr·g through the fused kernel, as src/optim's SGD does. */
export function plainSgd(params: Tensor[], lr: number): StepOptimizer {
  return {
    paramGroups: [{ params, lr }],
    zeroGrad: () => { for (const p of params) p.zeroGrad(); },
    step: () => {
      for (const p of params) {
        if (!p.grad) continue;
        p.backend.sgdStep(p.storage('sgd'), p.grad.storage('sgd'), null, p.size,
          { lr, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, firstStep: true });
      }
    },
  };
}

export const mse = (pred: Tensor, target: Tensor): Tensor => pred.sub(target).square().mean();

// Adagrad: torch.optim.Adagrad's rule, written with ops under noGrad and applied with assign.
//   t ← t + 1;  clr = lr / (1 + (t − 1)·lrDecay)
//   g ← ±∇p + wd·p
//   s ← s + g²                      (s starts at initialAccumulatorValue)
//   p ← p − clr · g / (√s + ε)
import type { Tensor } from '../tensor.js';
import { fullLike } from '../ops/creation.js';
import { assign } from '../ops/shape-ops.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import { Optimizer, checkRange, hyper, type ParamGroup, type ParamState } from './optimizer.js';

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

export class Adagrad extends Optimizer {
  protected readonly stateNames = ['sum'] as const;

  constructor(params: Tensor[] | ParamGroup[], options: AdagradOptions = {}) {
    super(params, {
      lr: options.lr ?? 1e-2,
      lrDecay: options.lrDecay ?? 0,
      weightDecay: options.weightDecay ?? 0,
      initialAccumulatorValue: options.initialAccumulatorValue ?? 0,
      eps: options.eps ?? 1e-10,
      maximize: options.maximize ?? false,
    });
  }

  protected validateGroup(g: ParamGroup): void {
    checkRange('Adagrad', 'lr', g.lr, 0);
    checkRange('Adagrad', 'lrDecay', g.lrDecay, 0);
    checkRange('Adagrad', 'weightDecay', g.weightDecay, 0);
    checkRange('Adagrad', 'initialAccumulatorValue', g.initialAccumulatorValue, 0);
    checkRange('Adagrad', 'eps', g.eps, 0);
  }

  protected initState(p: Tensor, g: ParamGroup): Record<string, Tensor> {
    return { sum: fullLike(p, hyper(g, 'initialAccumulatorValue')) };
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup): void {
    state.step++;
    const clr = g.lr / (1 + (state.step - 1) * hyper(g, 'lrDecay'));
    const wd = hyper(g, 'weightDecay');
    const eps = hyper(g, 'eps');
    const sum = state.tensors.sum;
    tidy(() => noGrad(() => {
      let d = g.maximize ? grad.neg() : grad;
      if (wd !== 0) d = d.add(p.mul(wd));
      const s = assign(sum, sum.add(d.square()));
      assign(p, p.sub(d.div(s.sqrt().add(eps)).mul(clr)));
    }));
  }
}

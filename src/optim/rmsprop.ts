// RMSprop: torch.optim.RMSprop's rule, written with ops under noGrad and applied with assign.
//   g ← ±∇p + wd·p
//   s ← α·s + (1 − α)·g²
//   centered: ḡ ← α·ḡ + (1 − α)·g,  d ← √(s − ḡ²) + ε;  else d ← √s + ε
//   momentum μ > 0: b ← μ·b + g/d,  p ← p − lr·b;  else p ← p − lr·g/d
import type { Tensor } from '../tensor.js';
import { zerosLike } from '../ops/creation.js';
import { assign } from '../ops/shape-ops.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import { Optimizer, checkRange, hyper, type ParamGroup, type ParamState } from './optimizer.js';

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  momentum?: number;
  centered?: boolean;
  weightDecay?: number;
  maximize?: boolean;
}

export class RMSprop extends Optimizer {
  protected readonly stateNames = ['square_avg', 'grad_avg', 'momentum_buffer'] as const;

  constructor(params: Tensor[] | ParamGroup[], options: RMSpropOptions = {}) {
    super(params, {
      lr: options.lr ?? 1e-2,
      alpha: options.alpha ?? 0.99,
      eps: options.eps ?? 1e-8,
      momentum: options.momentum ?? 0,
      centered: options.centered ?? false,
      weightDecay: options.weightDecay ?? 0,
      maximize: options.maximize ?? false,
    });
  }

  protected validateGroup(g: ParamGroup): void {
    checkRange('RMSprop', 'lr', g.lr, 0);
    checkRange('RMSprop', 'alpha', g.alpha, 0, 1, true);
    checkRange('RMSprop', 'eps', g.eps, 0);
    checkRange('RMSprop', 'momentum', g.momentum, 0);
    checkRange('RMSprop', 'weightDecay', g.weightDecay, 0);
  }

  protected initState(p: Tensor, g: ParamGroup): Record<string, Tensor> {
    const s: Record<string, Tensor> = { square_avg: zerosLike(p) };
    if (hyper(g, 'momentum') > 0) s.momentum_buffer = zerosLike(p);
    if (g.centered) s.grad_avg = zerosLike(p);
    return s;
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup): void {
    const alpha = hyper(g, 'alpha');
    const eps = hyper(g, 'eps');
    const momentum = hyper(g, 'momentum');
    const wd = hyper(g, 'weightDecay');
    const t = state.tensors;
    if (momentum > 0 && !t.momentum_buffer) t.momentum_buffer = zerosLike(p).keep();
    if (g.centered && !t.grad_avg) t.grad_avg = zerosLike(p).keep();
    state.step++;
    tidy(() => noGrad(() => {
      let d = g.maximize ? grad.neg() : grad;
      if (wd !== 0) d = d.add(p.mul(wd));
      const sq = assign(t.square_avg, t.square_avg.mul(alpha).add(d.square().mul(1 - alpha)));
      let avg: Tensor;
      if (g.centered) {
        const ga = assign(t.grad_avg, t.grad_avg.mul(alpha).add(d.mul(1 - alpha)));
        avg = sq.sub(ga.square()).sqrt().add(eps);
      } else {
        avg = sq.sqrt().add(eps);
      }
      if (momentum > 0) {
        const buf = assign(t.momentum_buffer, t.momentum_buffer.mul(momentum).add(d.div(avg)));
        assign(p, p.sub(buf.mul(g.lr)));
      } else {
        assign(p, p.sub(d.div(avg).mul(g.lr)));
      }
    }));
  }
}

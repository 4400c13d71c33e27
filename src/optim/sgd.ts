// SGD with momentum, dampening, Nesterov and weight decay: torch.optim.SGD's rule, run by the
// backend's fused kernel (one pass over the parameter, in place, on the parameter's device).
//   g ← ±∇p + wd·p
//   b ← g on the first step, else μ·b + (1 − dampening)·g
//   g ← g + μ·b (Nesterov) or b
//   p ← p − lr·g
import type { Tensor } from '../tensor.js';
import { zerosLike } from '../ops/creation.js';
import { sgdStep } from '../ops/optim-step.js';
import { Optimizer, checkRange, hyper, type ParamGroup, type ParamState } from './optimizer.js';

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
  /** Ascend the objective instead of descending it. */
  maximize?: boolean;
}

export class SGD extends Optimizer {
  protected readonly stateNames = ['momentum_buffer'] as const;

  constructor(params: Tensor[] | ParamGroup[], options: SGDOptions = {}) {
    super(params, {
      lr: options.lr ?? 1e-3,
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      nesterov: options.nesterov ?? false,
      weightDecay: options.weightDecay ?? 0,
      maximize: options.maximize ?? false,
    });
  }

  protected validateGroup(g: ParamGroup): void {
    checkRange('SGD', 'lr', g.lr, 0);
    checkRange('SGD', 'momentum', g.momentum, 0);
    checkRange('SGD', 'dampening', g.dampening, 0);
    checkRange('SGD', 'weightDecay', g.weightDecay, 0);
    if (g.nesterov && (hyper(g, 'momentum') <= 0 || hyper(g, 'dampening') !== 0)) {
      throw new Error(`SGD: nesterov needs momentum > 0 and dampening = 0 (got momentum ${String(g.momentum)}, dampening ${String(g.dampening)})`);
    }
  }

  protected initState(p: Tensor, g: ParamGroup): Record<string, Tensor> {
    return hyper(g, 'momentum') !== 0 ? { momentum_buffer: zerosLike(p) } : {};
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup): void {
    const momentum = hyper(g, 'momentum');
    let buf = state.tensors.momentum_buffer ?? null;
    if (momentum !== 0 && buf === null) {
      // momentum switched on after steps without it (a loaded group): start the buffer now
      buf = state.tensors.momentum_buffer = zerosLike(p).keep();
      state.step = 0;
    }
    const firstStep = state.step === 0;
    state.step++;
    sgdStep(p, grad, momentum !== 0 && buf ? buf : null, {
      lr: g.lr,
      momentum,
      dampening: hyper(g, 'dampening'),
      nesterov: Boolean(g.nesterov),
      weightDecay: hyper(g, 'weightDecay'),
      firstStep,
      maximize: Boolean(g.maximize),
    });
  }
}

// Adam and AdamW: torch.optim.Adam / AdamW's rule, run by the backend's fused kernel, one call
// over all of a parameter group's parameters.
//   g ← ∇p (+ wd·p for Adam; AdamW instead decays p ← p·(1 − lr·wd))
//   m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²        (v̂ ← max(v̂, v) with amsgrad)
//   p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
import type { Tensor } from '../tensor.js';
import { zerosLike } from '../ops/creation.js';
import { adamSteps } from '../ops/optim-step.js';
import { Optimizer, checkRange, hyper, type ParamGroup, type ParamState } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
}

export class Adam extends Optimizer {
  protected readonly stateNames = ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] as const;
  /** AdamW's decoupled weight decay. */
  protected readonly decoupled: boolean = false;

  constructor(params: Tensor[] | ParamGroup[], options: AdamOptions = {}, defaultWeightDecay = 0) {
    super(params, {
      lr: options.lr ?? 1e-3,
      betas: options.betas ?? [0.9, 0.999],
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? defaultWeightDecay,
      amsgrad: options.amsgrad ?? false,
    });
  }

  protected validateGroup(g: ParamGroup): void {
    const op = this.name;
    checkRange(op, 'lr', g.lr, 0);
    checkRange(op, 'eps', g.eps, 0);
    checkRange(op, 'weightDecay', g.weightDecay, 0);
    const b = g.betas as unknown;
    if (!Array.isArray(b) || b.length !== 2) throw new Error(`${op}: betas must be [β₁, β₂], got ${JSON.stringify(b)}`);
    checkRange(op, 'betas[0]', b[0], 0, 1);
    checkRange(op, 'betas[1]', b[1], 0, 1);
  }

  protected initState(p: Tensor, g: ParamGroup): Record<string, Tensor> {
    const s: Record<string, Tensor> = { exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
    if (g.amsgrad) s.max_exp_avg_sq = zerosLike(p);
    return s;
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup): void {
    this.stepSlots([[p, grad, state]], g);
  }

  /**
   * All of the group's parameters in one kernel call where their backend has one (adamSteps);
   * elsewhere, and while the kernels are watched (src/inspect/kernel-recorder.ts), one parameter
   * after the other, each state created just before its update.
   */
  protected override updateGroup(ready: [Tensor, Tensor][], g: ParamGroup): void {
    const b = ready[0]?.[0].backend;
    if (b?.adamSteps && ready.every(([p]) => p.backend === b)) this.stepSlots(ready.map(([p, grad]) => [p, grad, this.stateFor(p, g)]), g);
    else super.updateGroup(ready, g);
  }

  /**
   * Adam's update of these parameters, one adamSteps call per distinct step count (they differ
   * only when some parameters had no gradient at some steps). Elements are independent, so this
   * gives the same numbers as one call per parameter.
   */
  private stepSlots(ready: [Tensor, Tensor, ParamState][], g: ParamGroup): void {
    const [beta1, beta2] = g.betas as [number, number];
    const byStep = new Map<number, Parameters<typeof adamSteps>[0]>();
    for (const [p, grad, state] of ready) {
      const { exp_avg: m, exp_avg_sq: v } = state.tensors;
      let vMax = state.tensors.max_exp_avg_sq ?? null;
      if (g.amsgrad && vMax === null) vMax = state.tensors.max_exp_avg_sq = zerosLike(p).keep();
      state.step++;
      let slots = byStep.get(state.step);
      if (slots === undefined) byStep.set(state.step, (slots = []));
      slots.push({ param: p, grad, m, v, vMax: g.amsgrad && vMax ? vMax : null });
    }
    for (const [step, slots] of byStep) {
      adamSteps(slots, { lr: g.lr, beta1, beta2, eps: hyper(g, 'eps'), weightDecay: hyper(g, 'weightDecay'), decoupled: this.decoupled, step, amsgrad: Boolean(g.amsgrad) });
    }
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter); PyTorch's default weightDecay 1e-2. */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: Tensor[] | ParamGroup[], options: AdamOptions = {}) {
    super(params, options, 1e-2);
  }
}

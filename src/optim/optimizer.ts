// The Optimizer base: parameter groups with their hyperparameters, per-parameter state
// (momentum buffers, Adam's moments) and a state dict so that training resumes exactly.
//
// Subclasses implement `update(p, grad, state, group)` for one parameter (or `updateGroup` for all
// of a group's at once); the base class walks the groups, skips parameters without a gradient, and
// creates state lazily on first use.
// State tensors live on the parameter's backend and are `keep()`-ed: a training step runs
// inside `tidy`, and the state must outlive it.
import { Tensor } from '../tensor.js';
import { clone, to } from '../ops/shape-ops.js';
import { noGrad } from '../autograd.js';
import { shapeStr } from '../shape.js';

export interface ParamGroup {
  params: Tensor[];
  lr: number;
  [k: string]: unknown;
}

/** One parameter's state: named tensors (kept) and its step count. */
export interface ParamState {
  step: number;
  tensors: Record<string, Tensor>;
}

/**
 * `state`: copies of the state tensors, keyed 'param{i}.{name}' where i counts parameters across
 * groups in order (PyTorch's numbering). `meta`: JSON-safe: the optimizer's name, each group's
 * hyperparameters and parameter indices, and each parameter's step count.
 */
export interface OptimizerStateDict {
  state: Record<string, Tensor>;
  meta: Record<string, unknown>;
}

interface GroupMeta {
  params: number[];
  options: Record<string, unknown>;
}

export abstract class Optimizer {
  paramGroups: ParamGroup[];
  readonly defaults: Readonly<Record<string, unknown>>;
  /** The class name ('SGD', 'AdamW', …), stored in the state dict and checked on load. */
  get name(): string {
    return this.constructor.name;
  }
  /** Names of the state tensors this optimizer may keep per parameter (validated on load). */
  protected abstract readonly stateNames: readonly string[];
  protected readonly state = new Map<Tensor, ParamState>();

  constructor(params: Tensor[] | ParamGroup[], defaults: Record<string, unknown> & { lr: number }) {
    const op = `${new.target.name}`;
    if (!Array.isArray(params) || params.length === 0) {
      throw new Error(`${op}: expected a non-empty array of parameters or parameter groups`);
    }
    this.defaults = Object.freeze({ ...defaults });
    const groups: ParamGroup[] = params[0] instanceof Tensor
      ? [{ params: params as Tensor[], lr: defaults.lr }]
      : (params as ParamGroup[]);
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((g, gi) => {
      if (!g || !Array.isArray(g.params) || g.params.length === 0) {
        throw new Error(`${op}: parameter group ${gi} has no 'params' array (or it is empty)`);
      }
      g.params.forEach((p, i) => {
        if (!(p instanceof Tensor)) throw new Error(`${op}: group ${gi} param ${i} is not a Tensor`);
        if (!p.requiresGrad || !p.isLeaf) {
          throw new Error(`${op}: parameter ${p.name ?? `#${i}`} of shape ${shapeStr(p.shape)} must be a leaf with requiresGrad (use .detach().requiresGrad_())`);
        }
        if (seen.has(p)) throw new Error(`${op}: parameter ${p.name ?? `#${i}`} appears in more than one place`);
        seen.add(p);
      });
      return { ...defaults, ...g, params: [...g.params] };
    });
    for (const g of this.paramGroups) this.validateGroup(g);
  }

  /** Checks a group's hyperparameters (called at construction and on load). */
  protected abstract validateGroup(group: ParamGroup): void;

  /** Updates one parameter in place from its gradient. */
  protected abstract update(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup): void;

  /** Creates the state of a parameter on its first step. */
  protected abstract initState(p: Tensor, group: ParamGroup): Record<string, Tensor>;

  /** Every parameter, in group order. */
  params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /**
   * Updates a group's parameters that have gradients: by default one at a time, each with its
   * state created just before its first update (Adam overrides it to update them all in one call).
   */
  protected updateGroup(ready: [Tensor, Tensor][], group: ParamGroup): void {
    for (const [p, grad] of ready) this.update(p, grad, this.stateFor(p, group), group);
  }

  /** A parameter's state, created (and kept) on its first step. */
  protected stateFor(p: Tensor, group: ParamGroup): ParamState {
    let state = this.state.get(p);
    if (state === undefined) {
      state = { step: 0, tensors: this.initState(p, group) };
      for (const t of Object.values(state.tensors)) t.keep();
      this.state.set(p, state);
    }
    return state;
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    for (const group of this.paramGroups) {
      const ready: [Tensor, Tensor][] = [];
      for (const p of group.params) {
        const grad = p.grad;
        if (grad === null) continue;
        if (grad.backend !== p.backend || grad.dtype !== p.dtype || grad.size !== p.size) {
          throw new Error(`${this.name}.step: gradient of ${p.name ?? 'a parameter'} (${grad.backend.name} ${grad.dtype} ${shapeStr(grad.shape)}) does not match the parameter (${p.backend.name} ${p.dtype} ${shapeStr(p.shape)})`);
        }
        ready.push([p, grad]);
      }
      this.updateGroup(ready, group);
    }
  }

  /** Clears every parameter's gradient (sets it to null, as PyTorch's set_to_none). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.zeroGrad();
  }

  /** A snapshot: the tensors are copies the caller owns. */
  stateDict(): OptimizerStateDict {
    const state: Record<string, Tensor> = {};
    const steps: number[] = [];
    const groups: GroupMeta[] = [];
    let index = 0;
    noGrad(() => {
      for (const g of this.paramGroups) {
        const ids: number[] = [];
        for (const p of g.params) {
          const s = this.state.get(p);
          steps.push(s ? s.step : 0);
          if (s) for (const [k, t] of Object.entries(s.tensors)) state[`param${index}.${k}`] = clone(t).keep();
          ids.push(index++);
        }
        const { params: _params, ...options } = g;
        groups.push({ params: ids, options: { ...options } });
      }
    });
    return { state, meta: { optimizer: this.name, groups, steps } };
  }

  /** Restores a state dict from `stateDict()`; validates everything before changing anything. */
  loadStateDict(s: OptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    if (!s || typeof s !== 'object' || !s.meta || !s.state) throw new Error(`${op}: expected { state, meta } from stateDict()`);
    const meta = s.meta as { optimizer?: unknown; groups?: GroupMeta[]; steps?: number[] };
    if (meta.optimizer !== this.name) throw new Error(`${op}: the state dict is from '${String(meta.optimizer)}', not ${this.name}`);
    const groups = meta.groups;
    const steps = meta.steps;
    if (!Array.isArray(groups) || groups.length !== this.paramGroups.length) {
      throw new Error(`${op}: the state dict has ${Array.isArray(groups) ? groups.length : 'no'} parameter groups, this optimizer has ${this.paramGroups.length}`);
    }
    groups.forEach((g, gi) => {
      if (!Array.isArray(g.params) || g.params.length !== this.paramGroups[gi].params.length) {
        throw new Error(`${op}: group ${gi} has ${g.params?.length} parameters in the state dict, ${this.paramGroups[gi].params.length} here`);
      }
    });
    const params = this.params();
    if (!Array.isArray(steps) || steps.length !== params.length || steps.some((v) => !Number.isInteger(v) || v < 0)) {
      throw new Error(`${op}: 'steps' must hold one non-negative integer per parameter (${params.length})`);
    }
    for (const [key, t] of Object.entries(s.state)) {
      const m = /^param(\d+)\.(.+)$/.exec(key);
      if (!m) throw new Error(`${op}: unexpected state key '${key}' (expected 'param{i}.{name}')`);
      const i = Number(m[1]);
      if (i >= params.length) throw new Error(`${op}: state key '${key}' names parameter ${i}, but there are ${params.length}`);
      if (!this.stateNames.includes(m[2])) throw new Error(`${op}: unknown state '${m[2]}' in '${key}' (expected one of ${this.stateNames.join(', ')})`);
      if (!(t instanceof Tensor)) throw new Error(`${op}: '${key}' is not a Tensor`);
      if (t.size !== params[i].size || shapeStr(t.shape) !== shapeStr(params[i].shape)) {
        throw new Error(`${op}: '${key}' has shape ${shapeStr(t.shape)}, parameter ${i} has ${shapeStr(params[i].shape)}`);
      }
    }
    const candidateGroups = groups.map((g, gi) => ({ ...this.paramGroups[gi], ...g.options, params: this.paramGroups[gi].params }));
    candidateGroups.forEach((g) => this.validateGroup(g));
    // Everything checked: apply.
    this.paramGroups = candidateGroups;
    for (const st of this.state.values()) for (const t of Object.values(st.tensors)) t.dispose();
    this.state.clear();
    noGrad(() => {
      params.forEach((p, i) => {
        const tensors: Record<string, Tensor> = {};
        const prefix = `param${i}.`;
        for (const [key, t] of Object.entries(s.state)) {
          if (!key.startsWith(prefix)) continue;
          const copy = clone(t);
          const moved = copy.backend === p.backend && copy.dtype === p.dtype ? copy : to(copy, { backend: p.backend, dtype: p.dtype });
          if (moved !== copy) copy.dispose();
          tensors[key.slice(prefix.length)] = moved.keep();
        }
        if (steps[i] > 0 || Object.keys(tensors).length > 0) this.state.set(p, { step: steps[i], tensors });
      });
    });
  }

  /** Frees the state tensors (the optimizer can still step: state is recreated). */
  dispose(): void {
    for (const st of this.state.values()) for (const t of Object.values(st.tensors)) t.dispose();
    this.state.clear();
  }
}

/** Reads a numeric hyperparameter of a group. */
export function hyper(group: ParamGroup, key: string): number {
  return group[key] as number;
}

/** Throws unless `value` is a finite number within [min, max) (or [min, max] when inclusive). */
export function checkRange(op: string, key: string, value: unknown, min: number, max = Infinity, inclusiveMax = false): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && (inclusiveMax ? value <= max : value < max);
  if (!ok) {
    throw new Error(`${op}: ${key} must be a number in [${min}, ${max}${inclusiveMax ? ']' : ')'}, got ${String(value)}`);
  }
}

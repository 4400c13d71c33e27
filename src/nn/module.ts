// Module: a layer or a model. It owns named parameters (trained leaves), buffers (state that is
// saved but not trained, like batch norm's running statistics) and submodules, and gives them
// PyTorch's dotted names ('encoder.0.weight'), so a state dict reads like torch's.
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd.js';
import { assign, to } from '../ops/index.js';
import { shapeStr } from '../shape.js';

export interface LoadStateDictOptions {
  /** Require exactly the module's names (default true). With false, missing and extra names are skipped. */
  strict?: boolean;
}

export abstract class Module {
  /** Training mode (dropout active, batch norm uses batch statistics); true after construction. */
  training = true;
  private readonly params = new Map<string, Tensor>();
  private readonly buffersByName = new Map<string, Tensor>();
  private readonly modules = new Map<string, Module>();
  private pendingLosses: Tensor[] = [];

  abstract forward(x: Tensor): Tensor;

  /** Same as forward; lets a Module be called like a function in Sequential. */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  /** A short description for error messages and summaries, e.g. 'Linear(784 → 64)'. */
  describe(): string {
    return this.constructor.name;
  }

  // ---- registration ------------------------------------------------------------------------

  registerParameter(name: string, t: Tensor): Tensor {
    checkName('registerParameter', name, this);
    if (!(t instanceof Tensor)) throw new Error(`registerParameter: '${name}' of ${this.describe()} must be a Tensor`);
    if (!t.isLeaf) throw new Error(`registerParameter: '${name}' of ${this.describe()} must be a leaf tensor (use .detach().requiresGrad_())`);
    t.requiresGrad_();
    t.name ??= name;
    this.params.set(name, t);
    return t;
  }

  registerBuffer(name: string, t: Tensor): Tensor {
    checkName('registerBuffer', name, this);
    t.name ??= name;
    this.buffersByName.set(name, t);
    return t;
  }

  registerModule<M extends Module>(name: string, m: M): M {
    checkName('registerModule', name, this);
    if (!(m instanceof Module)) throw new Error(`registerModule: '${name}' of ${this.describe()} must be a Module`);
    this.modules.set(name, m);
    return m;
  }

  // ---- traversal ---------------------------------------------------------------------------

  /** [dotted name, module] for this module ('') and every descendant, depth-first. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, m] of this.modules) out.push(...m.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** This module and every descendant, depth-first, without names (the per-step walks). */
  private allModules(out: Module[] = []): Module[] {
    out.push(this);
    for (const m of this.modules.values()) m.allModules(out);
    return out;
  }

  children(): Module[] {
    return [...this.modules.values()];
  }

  /** Parameters depth-first in registration order, each once; sets each tensor's name to its dotted name. */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, t] of m.params) {
        if (seen.has(t)) continue;
        seen.add(t);
        const full = prefix ? `${prefix}.${name}` : name;
        t.name = full;
        out.push([full, t]);
      }
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, t] of m.buffersByName) out.push([prefix ? `${prefix}.${name}` : name, t]);
    }
    return out;
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  // ---- state -------------------------------------------------------------------------------

  /** Parameters then buffers of each module, in PyTorch's order and with its names and layouts. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [prefix, m] of this.namedModules()) {
      const full = (name: string) => (prefix ? `${prefix}.${name}` : name);
      for (const [name, t] of m.params) out[full(name)] ??= t;
      for (const [name, t] of m.buffersByName) out[full(name)] ??= t;
    }
    return out;
  }

  /**
   * Copies `state` into the parameters and buffers. Every name and shape is checked before
   * anything is written, so a failed load leaves the module as it was.
   */
  loadStateDict(state: Record<string, Tensor>, options: LoadStateDictOptions = {}): void {
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const problems: string[] = [];
    if (strict) {
      const missing = Object.keys(own).filter((k) => !(k in state));
      const unexpected = Object.keys(state).filter((k) => !(k in own));
      if (missing.length > 0) problems.push(`missing: ${missing.map((k) => `'${k}'`).join(', ')}`);
      if (unexpected.length > 0) problems.push(`unexpected: ${unexpected.map((k) => `'${k}'`).join(', ')}`);
    }
    const pairs: [Tensor, Tensor][] = [];
    for (const [name, target] of Object.entries(own)) {
      const value = state[name];
      if (value === undefined) continue;
      if (!(value instanceof Tensor)) { problems.push(`'${name}' is not a Tensor`); continue; }
      if (value.isDisposed) { problems.push(`'${name}' was disposed`); continue; }
      if (value.size !== target.size || value.shape.length !== target.shape.length || value.shape.some((d, i) => d !== target.shape[i])) {
        problems.push(`'${name}' has shape ${shapeStr(value.shape)}, expected ${shapeStr(target.shape)}`);
        continue;
      }
      pairs.push([target, value]);
    }
    if (problems.length > 0) {
      throw new Error(`loadStateDict: ${this.describe()}: ${problems.join('; ')}. Nothing was loaded.`);
    }
    noGrad(() => {
      for (const [target, value] of pairs) {
        const moved = to(value, { backend: target.backend, dtype: target.dtype });
        assign(target, moved);
        if (moved !== value) moved.dispose();
      }
    });
  }

  // ---- modes and gradients -----------------------------------------------------------------

  train(mode = true): this {
    for (const m of this.allModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  // ---- extra loss terms (Keras's add_loss) -------------------------------------------------

  /** A forward pass may add terms to the training loss (a VAE's KL, a sparsity penalty). */
  addLoss(term: Tensor): void {
    this.pendingLosses.push(term);
  }

  /** Drops the terms this module (not its submodules) added and nobody took. */
  clearLosses(): void {
    this.pendingLosses = [];
  }

  /** Collects and clears the terms added by this module and every submodule since the last call. */
  takeLosses(): Tensor[] {
    const out: Tensor[] = [];
    for (const m of this.allModules()) {
      if (m.pendingLosses.length === 0) continue;
      out.push(...m.pendingLosses);
      m.pendingLosses = [];
    }
    return out;
  }
}

function checkName(op: string, name: string, m: Module): void {
  if (typeof name !== 'string' || name === '' || name.includes('.')) {
    throw new Error(`${op}: ${m.describe()}: name ${JSON.stringify(name)} must be a non-empty string without '.'`);
  }
}

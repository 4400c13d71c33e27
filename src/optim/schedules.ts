// Learning-rate schedules, as torch.optim.lr_scheduler: each sets the lr of every parameter
// group from its initial lr (`baseLrs`) and a counter t advanced by `step()` (once per epoch
// in fit, unless told to step per batch). Construction applies t = 0.
//   StepLR               η_t = η₀ · γ^⌊t / stepSize⌋
//   ExponentialLR        η_t = η₀ · γ^t
//   CosineAnnealingLR    η_t = η_min + (η₀ − η_min)(1 + cos(πt / T)) / 2      (closed form)
//   LinearWarmup         η_t = η'·(s + (1 − s)·t / W) for t < W, then the wrapped schedule's η'
//   ReduceLROnPlateau    η ← max(η·factor, minLr) after `patience` epochs without improvement
import type { Optimizer } from './optimizer.js';

export interface SchedulerState {
  kind: string;
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
  [k: string]: unknown;
}

export interface Scheduler {
  readonly optimizer: Optimizer;
  /** Advances t by one; ReduceLROnPlateau needs the monitored metric. */
  step(metric?: number): void;
  /** The lr of each parameter group set by the last step. */
  getLastLr(): number[];
  stateDict(): SchedulerState;
  loadStateDict(s: SchedulerState): void;
}

/** A schedule given by a formula of t and the group's initial lr. */
abstract class ClosedFormScheduler implements Scheduler {
  lastEpoch = 0;
  baseLrs: number[];
  protected lastLr: number[];

  constructor(readonly optimizer: Optimizer) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
    // t = 0 gives η₀ for every schedule here (subclass fields are not set yet)
    this.lastLr = [...this.baseLrs];
  }

  protected abstract lrAt(t: number, baseLr: number): number;

  protected apply(): void {
    this.lastLr = this.baseLrs.map((b) => this.lrAt(this.lastEpoch, b));
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = this.lastLr[i]; });
  }

  step(_metric?: number): void {
    this.lastEpoch++;
    this.apply();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerState {
    return { kind: this.constructor.name, lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  loadStateDict(s: SchedulerState): void {
    checkState(this.constructor.name, s, this.optimizer);
    this.lastEpoch = s.lastEpoch;
    this.baseLrs = [...s.baseLrs];
    this.apply();
  }
}

function checkState(kind: string, s: SchedulerState, optimizer: Optimizer): void {
  const op = `${kind}.loadStateDict`;
  if (!s || s.kind !== kind) throw new Error(`${op}: the state is from '${String(s?.kind)}', expected '${kind}'`);
  if (!Number.isInteger(s.lastEpoch) || s.lastEpoch < 0) throw new Error(`${op}: lastEpoch must be a non-negative integer, got ${String(s.lastEpoch)}`);
  const n = optimizer.paramGroups.length;
  if (!Array.isArray(s.baseLrs) || s.baseLrs.length !== n || !Array.isArray(s.lastLr) || s.lastLr.length !== n) {
    throw new Error(`${op}: baseLrs and lastLr must have one entry per parameter group (${n})`);
  }
}

function positive(op: string, key: string, v: number, integer = false): number {
  if (!(Number.isFinite(v) && v > 0) || (integer && !Number.isInteger(v))) {
    throw new Error(`${op}: ${key} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  }
  return v;
}

export class StepLR extends ClosedFormScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: { stepSize: number; gamma?: number }) {
    const stepSize = positive('StepLR', 'stepSize', options.stepSize, true);
    const gamma = positive('StepLR', 'gamma', options.gamma ?? 0.1);
    super(optimizer);
    this.stepSize = stepSize;
    this.gamma = gamma;
  }

  protected lrAt(t: number, base: number): number {
    return this.stepSize === undefined ? base : base * Math.pow(this.gamma, Math.floor(t / this.stepSize));
  }
}

export class ExponentialLR extends ClosedFormScheduler {
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: { gamma: number }) {
    const gamma = positive('ExponentialLR', 'gamma', options.gamma);
    super(optimizer);
    this.gamma = gamma;
  }

  protected lrAt(t: number, base: number): number {
    return this.gamma === undefined ? base : base * Math.pow(this.gamma, t);
  }
}

export class CosineAnnealingLR extends ClosedFormScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, options: { tMax: number; etaMin?: number }) {
    const tMax = positive('CosineAnnealingLR', 'tMax', options.tMax, true);
    const etaMin = options.etaMin ?? 0;
    if (!(Number.isFinite(etaMin) && etaMin >= 0)) throw new Error(`CosineAnnealingLR: etaMin must be a number >= 0, got ${etaMin}`);
    super(optimizer);
    this.tMax = tMax;
    this.etaMin = etaMin;
  }

  protected lrAt(t: number, base: number): number {
    if (this.tMax === undefined) return base;
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * t) / this.tMax))) / 2;
  }
}

/**
 * Linear warm-up over `warmupSteps` steps from `startFactor`·η (PyTorch's LinearLR default 1/3)
 * to η, where η is the wrapped schedule's lr (held at its t = 0 during warm-up, then stepped),
 * or the initial lr when nothing is wrapped. Construct the wrapped schedule first.
 */
export class LinearWarmup implements Scheduler {
  lastEpoch = 0;
  readonly warmupSteps: number;
  readonly startFactor: number;
  readonly after: Scheduler | null;
  private baseLrs: number[];
  private lastLr: number[] = [];

  constructor(readonly optimizer: Optimizer, options: { warmupSteps: number; startFactor?: number; after?: Scheduler }) {
    this.warmupSteps = positive('LinearWarmup', 'warmupSteps', options.warmupSteps, true);
    this.startFactor = options.startFactor ?? 1 / 3;
    if (!(this.startFactor >= 0 && this.startFactor <= 1)) throw new Error(`LinearWarmup: startFactor must be in [0, 1], got ${this.startFactor}`);
    this.after = options.after ?? null;
    if (this.after && this.after.optimizer !== optimizer) throw new Error('LinearWarmup: the wrapped schedule must drive the same optimizer');
    this.baseLrs = this.after ? this.after.getLastLr() : optimizer.paramGroups.map((g) => g.lr);
    this.apply(undefined);
  }

  private apply(metric: number | undefined): void {
    const t = this.lastEpoch;
    const W = this.warmupSteps;
    if (t < W) {
      const f = this.startFactor + ((1 - this.startFactor) * t) / W;
      this.lastLr = this.baseLrs.map((b) => b * f);
    } else if (t === W || this.after === null) {
      this.lastLr = this.after ? this.after.getLastLr() : [...this.baseLrs];
    } else {
      this.after.step(metric);
      this.lastLr = this.after.getLastLr();
    }
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = this.lastLr[i]; });
  }

  step(metric?: number): void {
    this.lastEpoch++;
    this.apply(metric);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerState {
    return { kind: 'LinearWarmup', lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr], after: this.after?.stateDict() ?? null };
  }

  loadStateDict(s: SchedulerState): void {
    checkState('LinearWarmup', s, this.optimizer);
    if ((s.after === null) !== (this.after === null)) throw new Error('LinearWarmup.loadStateDict: the state and this schedule differ in whether a schedule is wrapped');
    if (this.after) this.after.loadStateDict(s.after as SchedulerState);
    this.lastEpoch = s.lastEpoch;
    this.baseLrs = [...s.baseLrs];
    this.lastLr = [...s.lastLr];
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = this.lastLr[i]; });
  }
}

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number;
  /** Changes smaller than this are ignored. */
  eps?: number;
}

/** torch.optim.lr_scheduler.ReduceLROnPlateau: step(metric) once per epoch. */
export class ReduceLROnPlateau implements Scheduler {
  lastEpoch = 0;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  readonly options: Required<ReduceLROnPlateauOptions>;
  private lastLr: number[];

  constructor(readonly optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    this.options = {
      mode: options.mode ?? 'min', factor: options.factor ?? 0.1, patience: options.patience ?? 10,
      threshold: options.threshold ?? 1e-4, thresholdMode: options.thresholdMode ?? 'rel',
      cooldown: options.cooldown ?? 0, minLr: options.minLr ?? 0, eps: options.eps ?? 1e-8,
    };
    const o = this.options;
    if (!(o.factor > 0 && o.factor < 1)) throw new Error(`ReduceLROnPlateau: factor must be in (0, 1), got ${o.factor}`);
    if (o.mode !== 'min' && o.mode !== 'max') throw new Error(`ReduceLROnPlateau: mode must be 'min' or 'max', got '${String(o.mode)}'`);
    if (o.thresholdMode !== 'rel' && o.thresholdMode !== 'abs') throw new Error(`ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs', got '${String(o.thresholdMode)}'`);
    for (const k of ['patience', 'cooldown'] as const) {
      if (!(Number.isInteger(o[k]) && o[k] >= 0)) throw new Error(`ReduceLROnPlateau: ${k} must be an integer >= 0, got ${o[k]}`);
    }
    this.best = o.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** min/rel: a < best·(1 − threshold); min/abs: a < best − threshold; max mirrors it. */
  isBetter(a: number, best: number): boolean {
    const { mode, thresholdMode, threshold } = this.options;
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (1 + threshold) : a > best + threshold;
  }

  step(metric?: number): void {
    if (typeof metric !== 'number') throw new Error('ReduceLROnPlateau.step: needs the monitored metric, e.g. step(valLoss)');
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.options.patience) {
      for (const g of this.optimizer.paramGroups) {
        const next = Math.max(g.lr * this.options.factor, this.options.minLr);
        if (g.lr - next > this.options.eps) g.lr = next;
      }
      this.cooldownCounter = this.options.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerState {
    return {
      kind: 'ReduceLROnPlateau', lastEpoch: this.lastEpoch, baseLrs: [...this.lastLr], lastLr: [...this.lastLr],
      // JSON has no Infinity: an unset best is stored as null
      best: Number.isFinite(this.best) ? this.best : null, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter,
    };
  }

  loadStateDict(s: SchedulerState): void {
    checkState('ReduceLROnPlateau', s, this.optimizer);
    this.lastEpoch = s.lastEpoch;
    this.best = typeof s.best === 'number' ? s.best : this.options.mode === 'min' ? Infinity : -Infinity;
    this.numBadEpochs = Number(s.numBadEpochs);
    this.cooldownCounter = Number(s.cooldownCounter);
    this.lastLr = [...s.lastLr];
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = this.lastLr[i]; });
  }
}

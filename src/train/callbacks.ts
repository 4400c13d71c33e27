// Callbacks: hooks fit calls at the start and end of training, of each epoch and after each
// batch. A hook may return 'stop' (or set ctx.stopTraining) to end training: after the current
// batch for onBatchEnd (the epoch is then closed as usual: validation, onEpochEnd), after the
// epoch for onEpochEnd. Epochs are numbered from 0, as in Keras.
import type { Tensor } from '../tensor.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Scheduler } from '../optim/schedules.js';
import { clone } from '../ops/shape-ops.js';
import { noGrad } from '../autograd.js';
import { saveModule } from '../nn/checkpoint.js';
import type { History } from './history.js';
import type { MetricLogKey, MetricLogs } from './metrics.js';

/** One epoch's numbers; the metrics fit was asked for (valMse, valPsnr, …) are there too. */
export interface EpochLogs extends MetricLogs {
  loss: number;
  /** Present when fit has validation data. */
  valLoss?: number;
  lr: number;
  seconds: number;
  samplesPerSecond: number;
}

export interface BatchLogs {
  /** The epoch's running mean loss (on webgpu: as of the last read, NaN before it). */
  loss: number;
  size: number;
}

export interface TrainContext {
  model: Module;
  optimizer: Optimizer;
  scheduler: Scheduler | undefined;
  history: History;
  epochs: number;
  stepsPerEpoch: number;
  /** Set to true to stop after the current batch. */
  stopTraining: boolean;
}

type Maybe<T> = T | Promise<T>;
export type CallbackResult = Maybe<void | 'stop'>;

export interface Callback {
  onTrainBegin?(ctx: TrainContext): Maybe<void>;
  onEpochBegin?(epoch: number, ctx: TrainContext): CallbackResult;
  onBatchEnd?(batch: number, logs: BatchLogs, ctx: TrainContext): CallbackResult;
  onEpochEnd?(epoch: number, logs: EpochLogs, ctx: TrainContext): CallbackResult;
  onTrainEnd?(history: History, ctx: TrainContext): Maybe<void>;
}

export type Monitor = 'loss' | 'valLoss' | MetricLogKey;

function monitored(op: string, monitor: Monitor, logs: EpochLogs): number {
  const v = logs[monitor];
  if (typeof v !== 'number') {
    throw new Error(`${op}: monitor '${monitor}' is not in the epoch logs (${Object.keys(logs).join(', ')}); pass validationData (or validationSplit, and the metric in metrics) to fit or monitor 'loss'`);
  }
  return v;
}

/** Copies of a module's parameters and buffers (kept: they outlive tidy scopes). */
function snapshot(model: Module): Record<string, Tensor> {
  return noGrad(() => {
    const out: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(model.stateDict())) out[k] = clone(t).keep();
    return out;
  });
}

function disposeAll(s: Record<string, Tensor> | null): void {
  if (s) for (const t of Object.values(s)) t.dispose();
}

export interface EarlyStoppingOptions {
  monitor?: Monitor;
  /** Stop once this many epochs in a row have not improved (Keras's rule: 0 and 1 both stop at the first). */
  patience?: number;
  /** An improvement must exceed this. */
  minDelta?: number;
  mode?: 'min' | 'max';
  /** End training with the weights of the best epoch (kept as a copy on the model's device). */
  restoreBest?: boolean;
  /** Keep waiting until the monitored value beats this. */
  baseline?: number;
}

/**
 * Keras's EarlyStopping: stops when `monitor` has not improved by more than minDelta for
 * `patience` epochs. With restoreBest the model ends training (stopped or not) with the
 * weights of its best epoch.
 */
export class EarlyStopping implements Callback {
  readonly monitor: Monitor;
  readonly patience: number;
  readonly minDelta: number;
  readonly mode: 'min' | 'max';
  readonly restoreBest: boolean;
  readonly baseline: number | undefined;
  best = NaN;
  bestEpoch = -1;
  /** The epoch training stopped at, or -1. */
  stoppedEpoch = -1;
  private wait = 0;
  private bestWeights: Record<string, Tensor> | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor ?? 'valLoss';
    this.patience = options.patience ?? 0;
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.mode = options.mode ?? 'min';
    this.restoreBest = options.restoreBest ?? false;
    this.baseline = options.baseline;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new Error(`earlyStopping: patience must be an integer >= 0, got ${this.patience}`);
    if (this.mode !== 'min' && this.mode !== 'max') throw new Error(`earlyStopping: mode must be 'min' or 'max', got '${String(this.mode)}'`);
  }

  private improves(value: number, reference: number): boolean {
    if (Number.isNaN(reference)) return !Number.isNaN(value);
    return this.mode === 'min' ? value + this.minDelta < reference : value - this.minDelta > reference;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.best = this.baseline ?? NaN;
    this.bestEpoch = -1;
    this.stoppedEpoch = -1;
    disposeAll(this.bestWeights);
    this.bestWeights = null;
  }

  onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainContext): 'stop' | void {
    const value = monitored('earlyStopping', this.monitor, logs);
    if (this.improves(value, this.best)) {
      this.best = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBest) {
        disposeAll(this.bestWeights);
        this.bestWeights = snapshot(ctx.model);
      }
      return;
    }
    // Keras counts epochs without improvement and stops once `patience` of them have passed
    this.wait++;
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      return 'stop';
    }
  }

  onTrainEnd(history: History, ctx: TrainContext): void {
    if (this.bestWeights !== null) {
      const last = history.epoch[history.epoch.length - 1];
      if (last !== this.bestEpoch) ctx.model.loadStateDict(this.bestWeights);
      disposeAll(this.bestWeights);
      this.bestWeights = null;
    }
  }
}

export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  return new EarlyStopping(options);
}

export interface ModelCheckpointOptions {
  /** Where to save (safetensors); '{epoch}' is replaced by the 1-based epoch number. */
  path: string;
  monitor?: Monitor;
  mode?: 'min' | 'max';
  /** Save only when the monitored value improves (default true); otherwise every epoch. */
  saveBestOnly?: boolean;
}

/** Saves the model (src/nn/checkpoint.ts, atomically) at the end of each improving epoch. */
export class ModelCheckpoint implements Callback {
  readonly path: string;
  readonly monitor: Monitor;
  readonly mode: 'min' | 'max';
  readonly saveBestOnly: boolean;
  best = NaN;
  bestEpoch = -1;
  /** Paths written, in order. */
  readonly saved: string[] = [];

  constructor(options: ModelCheckpointOptions) {
    if (!options || typeof options.path !== 'string' || options.path === '') throw new Error('modelCheckpoint: options.path must be a file path');
    this.path = options.path;
    this.monitor = options.monitor ?? 'valLoss';
    this.mode = options.mode ?? 'min';
    this.saveBestOnly = options.saveBestOnly ?? true;
  }

  async onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainContext): Promise<void> {
    const value = monitored('modelCheckpoint', this.monitor, logs);
    const better = Number.isNaN(this.best) ? !Number.isNaN(value) : this.mode === 'min' ? value < this.best : value > this.best;
    if (better) { this.best = value; this.bestEpoch = epoch; }
    if (this.saveBestOnly && !better) return;
    const file = this.path.replaceAll('{epoch}', String(epoch + 1));
    await saveModule(file, ctx.model, { epoch: String(epoch), [this.monitor]: String(value) });
    this.saved.push(file);
  }
}

export function modelCheckpoint(options: ModelCheckpointOptions): ModelCheckpoint {
  return new ModelCheckpoint(options);
}

// One training run as the CLI does it, shared by `train` and `sweep`: build the model, the
// optimizer and the schedule from a TrainConfig, optionally restore a checkpoint, call fit(),
// and save a checkpoint after every epoch and when Ctrl-C stops training.
//
// Randomness comes from two generators seeded from --seed: `modelGenerator` (initial weights,
// dropout masks, denoising noise, VAE ε) and the data loader's (the order of the training rows).
// The batches come from a DataLoader, whose state (epoch, next batch, generator states) goes
// into the checkpoint, so a run stopped after any step resumes exactly where it was: same
// batches, same random draws, same weights and losses as if it had never stopped.
import type { Tensor } from '../tensor.js';
import { Generator } from '../random.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { DataLoader, type DataLoaderState } from '../data/loader.js';
import { getOptimizer, StepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau, LinearWarmup, type Optimizer, type Scheduler } from '../optim/index.js';
import { fit } from './fit.js';
import { emptyHistory, type History } from './history.js';
import type { BatchLogs, Callback, EpochLogs } from './callbacks.js';
import { METRIC_LOG_KEYS, type MetricName } from './metrics.js';
import { buildModel, featureShapeOf, trainingLoss, weightL1 } from '../models/build-model.js';
import { testDataset, trainDataset, type Data } from './run-data.js';
import type { TrainConfig } from '../models/run-config.js';
import { loadCheckpoint, saveCheckpoint, type CheckpointState, type PartialEpoch } from './resume.js';
import type { ProgressStream } from './progress.js';

export interface Session {
  config: TrainConfig;
  model: Autoencoder;
  optimizer: Optimizer;
  scheduler: Scheduler | undefined;
  modelGenerator: Generator;
  /** Source of the shuffle order; the DataLoader over the training rows is made in runSession. */
  shuffleGenerator: Generator;
  /** Where the loader stands, from a checkpoint (null: at the start of epoch startEpoch). */
  loaderState: DataLoaderState | null;
  /** Epochs already done (from a checkpoint), and their history. */
  startEpoch: number;
  history: History;
  /** The finished steps of epoch startEpoch, when the checkpoint was taken inside it. */
  partial: PartialEpoch | null;
}

function optimizerFor(c: TrainConfig, params: Tensor[]): Optimizer {
  switch (c.optimizer) {
    case 'momentum': return getOptimizer('sgd', params, { lr: c.lr, momentum: 0.9 });
    case 'nesterov': return getOptimizer('sgd', params, { lr: c.lr, momentum: 0.9, nesterov: true });
    default: return getOptimizer(c.optimizer, params, { lr: c.lr });
  }
}

/** The schedules of --schedule; the constants are documented in `tessera train --help`. */
function schedulerFor(c: TrainConfig, optimizer: Optimizer, stepsPerEpoch: number): Scheduler | undefined {
  switch (c.schedule) {
    case 'none': return undefined;
    case 'step': return new StepLR(optimizer, { stepSize: Math.max(1, Math.round(c.epochs / 3)), gamma: 0.5 });
    case 'exponential': return new ExponentialLR(optimizer, { gamma: 0.9 });
    case 'cosine': return new CosineAnnealingLR(optimizer, { tMax: c.epochs });
    case 'plateau': return new ReduceLROnPlateau(optimizer, { patience: 1, factor: 0.5 });
    case 'warmup': return new LinearWarmup(optimizer, { warmupSteps: Math.max(1, stepsPerEpoch) });
  }
}

/** A fresh model, optimizer and schedule for `config`; trainRows sizes the warmup schedule. */
export function newSession(config: TrainConfig, trainRows: number): Session {
  const modelGenerator = new Generator(config.seed);
  const model = buildModel(config, modelGenerator);
  const optimizer = optimizerFor(config, model.parameters());
  const scheduler = schedulerFor(config, optimizer, Math.ceil(trainRows / config.batchSize));
  return {
    config, model, optimizer, scheduler, modelGenerator, shuffleGenerator: new Generator(config.seed + 0x5eed),
    loaderState: null, startEpoch: 0, history: emptyHistory(), partial: null,
  };
}

/** Continues a session from a run folder's checkpoint; null (the session unchanged) when it has none yet. */
export function restoreSession(command: string, dir: string, s: Session, trainRows: number): CheckpointState | null {
  const state = loadCheckpoint(command, dir, s, { trainRows, batchSize: s.config.batchSize });
  if (state === null) return null;
  s.loaderState = state.loader;
  s.startEpoch = state.epoch;
  s.history = state.history;
  s.partial = state.partial;
  return state;
}

export interface RunOptions {
  data: Data;
  /** Save a checkpoint here after each epoch and on interruption. */
  checkpointDir?: string;
  signal?: AbortSignal;
  progress: 'auto' | 'lines' | 'none';
  progressStream?: ProgressStream;
  /** Called after each finished epoch with the cumulative history. */
  onEpoch?: (history: History) => void | Promise<void>;
  /** Metrics on the test rows after every epoch, beside the objective (history.valMse, …). */
  metrics?: readonly MetricName[];
}

export interface RunResult {
  history: History;
  /** True when Ctrl-C stopped training before the last epoch. */
  interrupted: boolean;
  /** Set when the loss became NaN or ±Infinity (training stopped there; no checkpoint was saved after it). */
  nonFinite: History['nonFinite'] | null;
  seconds: number;
}

/** Where the loss stopped being finite, in words, with epochs counted from 1 as the progress line does. */
export function describeNonFinite(n: NonNullable<History['nonFinite']>): string {
  return n.validation
    ? `the test loss after epoch ${n.epoch + 1} is ${n.loss} although its training losses were finite`
    : n.firstStep !== undefined && n.firstStep < n.step
      ? `the training loss became ${n.loss} between steps ${n.firstStep} and ${n.step} of epoch ${n.epoch + 1} (this backend reads the loss every few steps)`
      : `the training loss became ${n.loss} at step ${n.step} of epoch ${n.epoch + 1}`;
}

/** Two parts of one epoch as one: the sample-weighted mean loss and the summed time. */
function mergePartial(a: PartialEpoch | null, b: PartialEpoch): PartialEpoch {
  if (a === null || a.samples === 0) return b;
  if (b.samples === 0) return a;     // stopped right after an epoch's last step: nothing left to add
  const samples = a.samples + b.samples;
  return { samples, meanLoss: (a.meanLoss * a.samples + b.meanLoss * b.samples) / samples, seconds: a.seconds + b.seconds };
}

/** Trains the session's model up to config.epochs, continuing from where it stands. */
export async function runSession(s: Session, o: RunOptions): Promise<RunResult> {
  const shape = featureShapeOf(s.config);
  const xTest = testDataset(o.data, shape);
  const loader = new DataLoader(trainDataset(o.data, shape), { batchSize: s.config.batchSize, shuffle: true, generator: s.shuffleGenerator });
  if (s.loaderState) loader.setState(s.loaderState);
  const n = loader.dataset.length;
  // This epoch's finished steps: what a checkpoint inside it records.
  let current: PartialEpoch = { samples: 0, meanLoss: NaN, seconds: 0 };
  let epochStart = performance.now();
  let before: PartialEpoch | null = s.partial;   // steps of epoch startEpoch done before the checkpoint
  const checkpoint = (epoch: number, partial: PartialEpoch | null): Promise<void> =>
    saveCheckpoint(o.checkpointDir as string, s, { epoch, partial, loader: loader.state(), history: s.history }, { trainRows: n, batchSize: s.config.batchSize });
  const t0 = performance.now();
  const tracker: Callback = {
    onEpochBegin: () => { current = { samples: 0, meanLoss: NaN, seconds: 0 }; epochStart = performance.now(); },
    onBatchEnd: (_batch: number, logs: BatchLogs) => {
      current.samples += logs.size;
      current.meanLoss = logs.loss;
      current.seconds = (performance.now() - epochStart) / 1000;
    },
    // fit calls this after validation and the schedule's step, so the checkpoint holds the
    // state the next epoch starts from.
    onEpochEnd: async (epoch: number, logs: EpochLogs) => {
      // A resumed epoch's logs cover only the steps after the checkpoint: add the ones before.
      const whole = mergePartial(before, { samples: n - (before?.samples ?? 0), meanLoss: logs.loss, seconds: logs.seconds });
      before = null;
      const h = s.history;
      h.epoch.push(epoch); h.loss.push(whole.meanLoss); h.valLoss.push(logs.valLoss ?? NaN);
      h.seconds.push(whole.seconds); h.lr.push(logs.lr); h.samplesPerSecond.push(logs.samplesPerSecond);
      for (const m of o.metrics ?? []) (h[METRIC_LOG_KEYS[m]] ??= []).push(logs[METRIC_LOG_KEYS[m]] ?? NaN);
      if (o.checkpointDir) await checkpoint(epoch + 1, null);
      if (o.onEpoch) await o.onEpoch(h);
    },
  };
  let interrupted = false;
  let nonFinite: RunResult['nonFinite'] = null;
  if (s.startEpoch < s.config.epochs) {
    const h = await fit(s.model, loader, null, {
      optimizer: s.optimizer, loss: trainingLoss(s.model, s.config.data.loss), epochs: s.config.epochs, batchSize: s.config.batchSize,
      validationData: [xTest, null], metrics: o.metrics, callbacks: [tracker], progress: o.progress, progressStream: o.progressStream,
      // Warmup counts steps (its length is one epoch of them); the other schedules count epochs.
      scheduler: s.scheduler, schedulerInterval: s.config.schedule === 'warmup' ? 'batch' : 'epoch',
      l1: weightL1(s.config), l2: s.config.l2, initialEpoch: s.startEpoch, signal: o.signal,
    });
    interrupted = h.stopReason === 'abort';
    // A non-finite loss: the weights are lost, the checkpoint on disk is the last good state.
    nonFinite = h.nonFinite ?? null;
    // fit leaves an aborted epoch without onEpochEnd: save the state after the last step taken.
    if (interrupted && o.checkpointDir) {
      const partial = loader.state().nextBatch > 0 ? mergePartial(before, current) : null;
      await checkpoint(s.history.epoch.length, partial);
    }
  }
  s.loaderState = loader.state();
  s.history.stopReason = interrupted ? 'abort' : nonFinite ? 'nonfinite' : null;
  if (nonFinite) s.history.nonFinite = nonFinite;
  return { history: s.history, interrupted, nonFinite, seconds: (performance.now() - t0) / 1000 };
}


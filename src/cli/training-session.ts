// One training run as the CLI does it, shared by `train` and `sweep`: build the model, the
// optimizer and the schedule from a TrainConfig, optionally restore a checkpoint, call fit(),
// and save a checkpoint after every epoch (and when Ctrl-C stops training).
//
// Randomness comes from two generators, both seeded from --seed: `modelGenerator` (initial
// weights, dropout masks, denoising noise, VAE ε) and `shuffleGenerator` (the order of the
// training rows). A checkpoint stores both states with the weights, the optimizer's moments and
// the schedule, so resuming at an epoch boundary repeats the uninterrupted run exactly.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Generator, type Tensor } from '../index.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { InMemoryDataset } from '../data/dataset.js';
import { getOptimizer, StepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau, LinearWarmup, type Optimizer, type Scheduler, type SchedulerState } from '../optim/index.js';
import { fit } from '../train/fit.js';
import type { History } from '../train/history.js';
import type { Callback, EpochLogs } from '../train/callbacks.js';
import { writeSafetensors } from '../io/safetensors.js';
import { buildModel, featureShapeOf, trainingLoss, weightL1 } from './build-model.js';
import type { Data } from './inference.js';
import type { TrainConfig } from './train-options.js';
import { RUN_FILES, loadWeightsInto, readTensors, tensorsToHost, writeJson } from './run-folder.js';
import { CliError, type TextSink } from './command.js';

export interface CheckpointState {
  version: 1;
  /** Epochs finished (the next epoch to run, 0-based). */
  epoch: number;
  /** True when Ctrl-C stopped training inside `epoch` (resuming redoes that epoch from its start). */
  partialEpoch: boolean;
  modelGenerator: (number | string)[];
  shuffleGenerator: (number | string)[];
  /** The shuffle generator before the interrupted epoch drew its order (for partial epochs). */
  epochStartShuffleGenerator: (number | string)[] | null;
  optimizer: Record<string, unknown>;
  scheduler: SchedulerState | null;
  history: History;
}

export interface Session {
  config: TrainConfig;
  model: Autoencoder;
  optimizer: Optimizer;
  scheduler: Scheduler | undefined;
  modelGenerator: Generator;
  shuffleGenerator: Generator;
  /** Epochs already done (from a checkpoint), and their history. */
  startEpoch: number;
  history: History;
}

function optimizerFor(c: TrainConfig, params: Tensor[]): Optimizer {
  switch (c.optimizer) {
    case 'momentum': return getOptimizer('sgd', params, { lr: c.lr, momentum: 0.9 });
    case 'nesterov': return getOptimizer('sgd', params, { lr: c.lr, momentum: 0.9, nesterov: true });
    default: return getOptimizer(c.optimizer, params, { lr: c.lr });
  }
}

/** Per-epoch schedules; the constants are documented in `tessera train --help`. */
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

/** Generator states go through JSON, which cannot hold the "no cached normal" NaN (written as "NaN"). */
function restoreGenerator(g: Generator, state: unknown[]): void {
  g.setState(state.map((v) => (typeof v === 'number' ? v : NaN)));
}

export function newSession(config: TrainConfig, trainRows: number): Session {
  const modelGenerator = new Generator(config.seed);
  const shuffleGenerator = new Generator(config.seed + 0x5eed);
  const model = buildModel(config, modelGenerator);
  const optimizer = optimizerFor(config, model.parameters());
  const scheduler = schedulerFor(config, optimizer, Math.ceil(trainRows / config.batchSize));
  return { config, model, optimizer, scheduler, modelGenerator, shuffleGenerator, startEpoch: 0, history: emptyHistoryOf() };
}

function emptyHistoryOf(): History {
  return { epoch: [], loss: [], valLoss: [], seconds: [], lr: [], samplesPerSecond: [], stopReason: null };
}

/** Restores weights, optimizer, schedule, generators and history from a run folder's checkpoint. */
export function restoreCheckpoint(command: string, dir: string, s: Session): CheckpointState {
  const jsonFile = path.join(dir, RUN_FILES.checkpointState);
  const tensorFile = path.join(dir, RUN_FILES.checkpoint);
  if (!fs.existsSync(jsonFile)) throw new CliError(`tessera ${command}: '${dir}' has no checkpoint (${RUN_FILES.checkpointState}) to resume from`);
  let state: CheckpointState;
  try {
    state = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as CheckpointState;
    if (state.version !== 1 || !Number.isInteger(state.epoch) || !Array.isArray(state.modelGenerator) || !state.history) throw new Error('missing fields');
  } catch (e) {
    throw new CliError(`tessera ${command}: '${jsonFile}' is not a valid checkpoint: ${(e as Error).message}`);
  }
  const tensors = readTensors(command, tensorFile);
  loadWeightsInto(command, tensorFile, s.model, tensors, 'model.');
  const optState: Record<string, Tensor> = {};
  for (const [name, t] of tensors) if (name.startsWith('optimizer.')) optState[name.slice('optimizer.'.length)] = t;
  try {
    s.optimizer.loadStateDict({ state: optState, meta: state.optimizer });
    if (s.scheduler && state.scheduler) s.scheduler.loadStateDict(state.scheduler);
  } catch (e) {
    throw new CliError(`tessera ${command}: the optimizer state in '${tensorFile}' does not fit this run: ${(e as Error).message}`);
  }
  restoreGenerator(s.modelGenerator, state.modelGenerator);
  restoreGenerator(s.shuffleGenerator, state.partialEpoch && state.epochStartShuffleGenerator ? state.epochStartShuffleGenerator : state.shuffleGenerator);
  s.startEpoch = state.epoch;
  s.history = state.history;
  return state;
}

export async function saveCheckpoint(dir: string, s: Session, epoch: number, partialEpoch: boolean,
  epochStartShuffle: number[] | null): Promise<void> {
  const opt = s.optimizer.stateDict();
  const tensors = { ...(await tensorsToHost(s.model.stateDict(), 'model.')), ...(await tensorsToHost(opt.state, 'optimizer.')) };
  for (const t of Object.values(opt.state)) t.dispose();
  writeSafetensors(path.join(dir, RUN_FILES.checkpoint), tensors, { format: 'pt', writer: 'tessera', epoch: String(epoch) });
  const state: CheckpointState = {
    version: 1, epoch, partialEpoch,
    modelGenerator: s.modelGenerator.getState(), shuffleGenerator: s.shuffleGenerator.getState(),
    epochStartShuffleGenerator: epochStartShuffle,
    optimizer: opt.meta, scheduler: s.scheduler ? s.scheduler.stateDict() : null, history: s.history,
  };
  writeJson(path.join(dir, RUN_FILES.checkpointState), state);
}

export interface RunOptions {
  data: Data;
  /** Save a checkpoint here after each epoch and on interruption. */
  checkpointDir?: string;
  signal?: AbortSignal;
  progress: 'auto' | 'lines' | 'none';
  progressStream?: TextSink & { columns?: number };
  /** Called after each finished epoch with the cumulative history. */
  onEpoch?: (history: History) => void | Promise<void>;
}

export interface RunResult {
  history: History;
  /** True when Ctrl-C stopped training before the last epoch. */
  interrupted: boolean;
  seconds: number;
}

function appendEpoch(h: History, epoch: number, logs: EpochLogs): void {
  h.epoch.push(epoch);
  h.loss.push(logs.loss);
  h.valLoss.push(logs.valLoss ?? NaN);
  h.seconds.push(logs.seconds);
  h.lr.push(logs.lr);
  h.samplesPerSecond.push(logs.samplesPerSecond);
}

/** Trains the session's model up to config.epochs, continuing from startEpoch. */
export async function runSession(s: Session, o: RunOptions): Promise<RunResult> {
  const { train, test } = o.data;
  const shape = featureShapeOf(s.config);
  const x = new InMemoryDataset(train.images, shape);
  const xTest = new InMemoryDataset(test.images, shape);
  let batchesThisEpoch = 0;
  let epochStartShuffle: number[] | null = null;
  const t0 = performance.now();
  const checkpointer: Callback = {
    onEpochBegin: () => { batchesThisEpoch = 0; epochStartShuffle = s.shuffleGenerator.getState(); },
    onBatchEnd: () => { batchesThisEpoch++; },
    // fit calls this after validation and the schedule's step, so the checkpoint holds the
    // state the next epoch starts from.
    onEpochEnd: async (epoch: number, logs: EpochLogs) => {
      appendEpoch(s.history, epoch, logs);
      batchesThisEpoch = 0;
      if (o.checkpointDir) await saveCheckpoint(o.checkpointDir, s, epoch + 1, false, null);
      if (o.onEpoch) await o.onEpoch(s.history);
    },
  };
  let interrupted = false;
  if (s.startEpoch < s.config.epochs) {
    const h = await fit(s.model, x, null, {
      optimizer: s.optimizer, loss: trainingLoss(s.model), epochs: s.config.epochs, batchSize: s.config.batchSize,
      shuffle: true, generator: s.shuffleGenerator, validationData: [xTest, null], callbacks: [checkpointer],
      progress: o.progress, progressStream: o.progressStream, scheduler: s.scheduler,
      // Warmup counts steps (its length is one epoch of them); the other schedules count epochs.
      schedulerInterval: s.config.schedule === 'warmup' ? 'batch' : 'epoch', l1: weightL1(s.config), l2: s.config.l2,
      initialEpoch: s.startEpoch, signal: o.signal,
    });
    interrupted = h.stopReason === 'abort';
    // fit ends an aborted epoch without onEpochEnd: save the weights of the last step taken.
    if (interrupted && o.checkpointDir) {
      const done = s.history.epoch.length;
      await saveCheckpoint(o.checkpointDir, s, done, batchesThisEpoch > 0, batchesThisEpoch > 0 ? epochStartShuffle : null);
    }
  }
  s.history.stopReason = interrupted ? 'abort' : null;
  return { history: s.history, interrupted, seconds: (performance.now() - t0) / 1000 };
}

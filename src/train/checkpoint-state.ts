// A run folder's checkpoint: one file, checkpoint.safetensors, in the library's training-checkpoint
// format (src/train/resume.ts): the weights as 'model.*', the optimizer's state tensors as
// 'optimizer.*', and one JSON metadata entry with the optimizer's and schedule's metadata, the
// model's generator, and what the CLI adds: the data loader's position and generator states, the
// history so far and, inside an epoch, the loss and time of its finished steps.
//
// One file written atomically is one unit: a crash at any moment leaves the previous checkpoint
// or the new one, never the weights of one and the position of another. Reading checks every
// field before anything is loaded (checkpoint-fields.ts), and errors name the file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Generator } from '../random.js';
import type { Module } from '../nn/module.js';
import type { Optimizer, Scheduler, SchedulerState } from '../optim/index.js';
import type { DataLoaderState } from '../data/loader.js';
import type { History } from './history.js';
import { CHECKPOINT_FILE, applyTrainingCheckpoint, captureTrainingState, readTrainingCheckpoint, saveTrainingCheckpoint } from './resume.js';
import { CliError } from '../util/errors.js';
import { FieldError, fail, finite, generatorState, integer, list, numberOrNaN, object } from './checkpoint-fields.js';

/** The finished steps of an interrupted epoch: their mean loss, sample count and seconds. */
export interface PartialEpoch { samples: number; meanLoss: number; seconds: number }

/** Where training stands, beside the tensors. */
export interface CheckpointState {
  /** Epochs finished; training continues in epoch `epoch` (0-based). */
  epoch: number;
  /** Set when training stopped inside epoch `epoch`. */
  partial: PartialEpoch | null;
  loader: DataLoaderState;
  history: History;
}

export interface TrainingState {
  model: Module;
  optimizer: Optimizer;
  scheduler: Scheduler | undefined;
  modelGenerator: Generator;
}

/** What the checkpoint must agree with: the run's training rows and batch size. */
export interface RunShape { trainRows: number; batchSize: number }

/** The CLI's checkpoint format (1 and 2 kept the position in a separate checkpoint.json). */
const VERSION = 3;

export async function saveCheckpoint(dir: string, t: TrainingState, state: CheckpointState, run: RunShape): Promise<void> {
  const training = captureTrainingState(state.epoch, { optimizer: t.optimizer, scheduler: t.scheduler, generators: [t.modelGenerator] });
  const { partial, loader, history } = state;
  await saveTrainingCheckpoint(path.join(dir, CHECKPOINT_FILE), t.model, training,
    { version: VERSION, trainRows: run.trainRows, partial, loader, history: { ...history, stopReason: null } });
}

/**
 * Restores weights, optimizer, schedule and the model's generator from `dir`'s checkpoint and
 * returns the rest for the loop; null when the run has no checkpoint yet (it stopped in its
 * first epoch). Every field is checked before anything is loaded.
 */
export function loadCheckpoint(command: string, dir: string, t: TrainingState, run: RunShape): CheckpointState | null {
  const file = path.join(dir, CHECKPOINT_FILE);
  if (!fs.existsSync(file)) return null;
  let parsed;
  try {
    parsed = readTrainingCheckpoint(file);
  } catch (e) {
    throw new CliError(`tessera ${command}: cannot read the checkpoint '${file}': ${(e as Error).message.replace(/^readTrainingCheckpoint: /, '')}`);
  }
  let checked;
  try {
    checked = checkCheckpoint(parsed.meta, run, t.scheduler !== undefined);
  } catch (e) {
    if (!(e instanceof FieldError)) throw e;
    throw new CliError(`tessera ${command}: '${file}' is not a valid checkpoint: ${e.message}`);
  }
  try {
    applyTrainingCheckpoint(parsed, t.model, { epoch: checked.state.epoch, optimizer: checked.optimizer, scheduler: checked.scheduler, generators: [checked.modelGenerator] },
      { optimizer: t.optimizer, scheduler: t.scheduler, generators: [t.modelGenerator] });
  } catch (e) {
    throw new CliError(`tessera ${command}: the checkpoint '${file}' does not fit this run: ${(e as Error).message}`);
  }
  return checked.state;
}

/** Every field of a checkpoint's JSON, checked against itself and the run; throws a FieldError. */
export function checkCheckpoint(meta: Record<string, unknown>, run: RunShape, hasScheduler: boolean) {
  if (meta.version !== VERSION) fail('version', `${VERSION} (older checkpoints kept their state in checkpoint.json: start such a run again)`, meta.version);
  const trainRows = integer(meta.trainRows, 'trainRows', 1);
  if (trainRows !== run.trainRows) throw new FieldError(`'trainRows' is ${trainRows}, but this run has ${run.trainRows} training rows (the data changed since the checkpoint)`);
  const steps = Math.ceil(trainRows / run.batchSize);
  const epoch = integer(meta.epoch, 'epoch', 0);
  const modelGenerator = generatorState(list(meta.generators, 'generators', 1)[0], 'generators[0]');
  const optimizer = object(meta.optimizer, 'optimizer');
  const scheduler = meta.scheduler === null ? null : object(meta.scheduler, 'scheduler') as unknown as SchedulerState;
  if ((scheduler !== null) !== hasScheduler) fail('scheduler', hasScheduler ? "the state of the run's --schedule" : 'null (the run has no --schedule)', meta.scheduler);

  const l = object(meta.loader, 'loader');
  if (l.epoch !== epoch) fail('loader.epoch', `${epoch}, the same as 'epoch' (they are saved together)`, l.epoch);
  const nextBatch = integer(l.nextBatch, 'loader.nextBatch', 0, steps);
  const generator = generatorState(l.generator, 'loader.generator');
  const epochStartGenerator = l.epochStartGenerator === null ? null : generatorState(l.epochStartGenerator, 'loader.epochStartGenerator');
  if ((epochStartGenerator === null) !== (nextBatch === 0)) {
    fail('loader.epochStartGenerator', nextBatch === 0 ? "null when 'loader.nextBatch' is 0 (no epoch in progress)" : `a generator state when 'loader.nextBatch' is ${nextBatch}`, l.epochStartGenerator);
  }

  let partial: PartialEpoch | null = null;
  if (nextBatch === 0) {
    if (meta.partial !== null) fail('partial', "null when 'loader.nextBatch' is 0", meta.partial);
  } else {
    const p = object(meta.partial, 'partial');
    // the loader's steps and the partial epoch's samples are saved together: they must agree
    const samples = Math.min(nextBatch * run.batchSize, trainRows);
    partial = {
      samples: integer(p.samples, 'partial.samples', samples, samples),
      meanLoss: finite(p.meanLoss, 'partial.meanLoss'),
      seconds: finite(p.seconds, 'partial.seconds', 0),
    };
  }

  const h = object(meta.history, 'history');
  const column = <T>(key: keyof History, read: (v: unknown, field: string) => T): T[] =>
    list(h[key], `history.${key}`, epoch, ` (one per epoch done: 'epoch' is ${epoch})`).map((v, i) => read(v, `history.${key}[${i}]`));
  const history: History = {
    epoch: column('epoch', (v, f) => integer(v, f, 0)),
    loss: column('loss', (v, f) => finite(v, f)),
    valLoss: column('valLoss', numberOrNaN),
    seconds: column('seconds', (v, f) => finite(v, f, 0)),
    lr: column('lr', (v, f) => finite(v, f, 0)),
    samplesPerSecond: column('samplesPerSecond', numberOrNaN),
    stopReason: null,
  };
  history.epoch.forEach((e, i) => { if (e !== i) fail(`history.epoch[${i}]`, `${i} (epochs are numbered from 0)`, e); });

  const loader: DataLoaderState = { epoch, nextBatch, generator: generator as number[], epochStartGenerator: epochStartGenerator as number[] | null };
  return { state: { epoch, partial, loader, history }, modelGenerator, optimizer, scheduler };
}

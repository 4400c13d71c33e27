// Resuming training exactly. A run's future depends on the model's weights, the optimizer's
// state (moments, step counts, lr), the schedule's counters and the random generators (the
// next shuffle and noise draws). Captured at the end of epoch k and restored into fresh
// objects, `fit(..., { initialEpoch: k })` continues exactly as the uninterrupted run would.
//
// On disk it is one safetensors file: 'model.<name>' tensors (PyTorch names), 'optimizer.param{i}.<state>'
// tensors, and the rest as JSON in the metadata key 'tessera.training'.
//
// A run folder's checkpoint (saveCheckpoint, loadCheckpoint: what `tessera train` writes and
// `--resume` reads) is this format with the session's position in the same JSON: the data
// loader's position and generator states, the history so far and, inside an epoch, the loss and
// time of its finished steps. One file written atomically is one unit: a crash at any moment
// leaves the previous checkpoint or the new one, never the weights of one and the position of
// another. Reading checks every field before anything is loaded (checkpoint-fields.ts), and
// errors name the file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Module } from '../nn/module.js';
import type { Optimizer, OptimizerStateDict } from '../optim/optimizer.js';
import type { Scheduler, SchedulerState } from '../optim/schedules.js';
import type { DataLoaderState } from '../data/loader.js';
import type { History } from './history.js';
import { CliError } from '../util/errors.js';
import { FieldError, fail, finite, generatorState, integer, list, numberOrNaN, object } from './checkpoint-fields.js';
import type { Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { fromTyped } from '../ops/creation.js';
import { readSafetensors, writeSafetensors, type SafetensorsFile, type SafetensorsInput } from '../io/safetensors.js';
import type { Callback, EpochLogs, TrainContext } from './callbacks.js';

export interface TrainingState {
  /** Epochs completed: the `initialEpoch` of the resumed fit. */
  epoch: number;
  optimizer: OptimizerStateDict;
  scheduler: SchedulerState | null;
  /** Generator states (JSON: NaN is stored as null). */
  generators: (number | null)[][];
}

export interface TrainingParts {
  optimizer: Optimizer;
  scheduler?: Scheduler;
  /** fit's generator first, then any the model draws from (dropout, noise, sampling). */
  generators?: Generator[];
}

export function captureTrainingState(epoch: number, parts: TrainingParts): TrainingState {
  return {
    epoch,
    optimizer: parts.optimizer.stateDict(),
    scheduler: parts.scheduler?.stateDict() ?? null,
    generators: (parts.generators ?? []).map((g) => g.getState().map((v) => (Number.isNaN(v) ? null : v))),
  };
}

/** Puts the state into fresh (or the same) objects; returns the epoch to pass as initialEpoch. */
export function restoreTrainingState(state: TrainingState, parts: TrainingParts): number {
  const op = 'restoreTrainingState';
  const gens = parts.generators ?? [];
  if (!Number.isInteger(state.epoch) || state.epoch < 0) throw new Error(`${op}: epoch must be a non-negative integer, got ${String(state.epoch)}`);
  if (gens.length !== state.generators.length) {
    throw new Error(`${op}: the state holds ${state.generators.length} generator states, ${gens.length} generators were given`);
  }
  if ((state.scheduler === null) !== (parts.scheduler === undefined)) {
    throw new Error(`${op}: the state ${state.scheduler ? 'has' : 'has no'} schedule, but ${parts.scheduler ? 'one' : 'none'} was given`);
  }
  parts.optimizer.loadStateDict(state.optimizer);
  if (parts.scheduler && state.scheduler) parts.scheduler.loadStateDict(state.scheduler);
  gens.forEach((g, i) => g.setState(state.generators[i].map((v) => (v === null ? NaN : v))));
  return state.epoch;
}

const META_KEY = 'tessera.training';

/** The file a run folder keeps its checkpoint in (src/cli/run-folder.ts lays out the rest). */
export const CHECKPOINT_FILE = 'checkpoint.safetensors';

async function host(t: Tensor): Promise<SafetensorsInput> {
  const data = await t.data();
  return t.dtype === 'float64'
    ? { dtype: 'F64', shape: [...t.shape], data: data instanceof Float64Array ? data : Float64Array.from(data) }
    : { dtype: 'F32', shape: [...t.shape], data: data instanceof Float32Array ? data : Float32Array.from(data) };
}

/**
 * Writes the model and the training state to one safetensors file, atomically: a crash leaves
 * the previous checkpoint or this one, never a mix. `extra` goes into the same JSON (the CLI
 * keeps its data loader position and history there); JSON turns NaN into null.
 */
export async function saveTrainingCheckpoint(filePath: string, model: Module, state: TrainingState, extra: Record<string, unknown> = {}): Promise<void> {
  const tensors: Record<string, SafetensorsInput> = {};
  for (const [name, t] of Object.entries(model.stateDict())) tensors[`model.${name}`] = await host(t);
  for (const [name, t] of Object.entries(state.optimizer.state)) {
    tensors[`optimizer.${name}`] = await host(t);
    t.dispose();                                   // stateDict() made these copies for us
  }
  const meta = { ...extra, epoch: state.epoch, optimizer: state.optimizer.meta, scheduler: state.scheduler, generators: state.generators };
  writeSafetensors(filePath, tensors, { writer: 'tessera', [META_KEY]: JSON.stringify(meta) });
}

/** A checkpoint file read but not yet applied: its JSON (unchecked: the caller checks its fields) and its tensors. */
export interface TrainingCheckpointFile {
  meta: Record<string, unknown>;
  tensors: SafetensorsFile['tensors'];
}

/** Reads and parses a file from saveTrainingCheckpoint; errors name the file. Changes nothing. */
export function readTrainingCheckpoint(filePath: string): TrainingCheckpointFile {
  const op = 'readTrainingCheckpoint';
  const file = readSafetensors(filePath);
  const raw = file.metadata[META_KEY];
  if (raw === undefined) throw new Error(`${op}: '${filePath}' has no '${META_KEY}' metadata (it is not a training checkpoint; use loadModule for model files)`);
  let meta: unknown;
  try {
    meta = JSON.parse(raw);
  } catch (err) {
    throw new Error(`${op}: '${filePath}': the '${META_KEY}' metadata is not valid JSON: ${(err as Error).message}`);
  }
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw new Error(`${op}: '${filePath}': the '${META_KEY}' metadata is not a JSON object`);
  for (const name of file.tensors.keys()) {
    if (!name.startsWith('model.') && !name.startsWith('optimizer.')) throw new Error(`${op}: '${filePath}': unexpected tensor '${name}' (expected 'model.*' or 'optimizer.*')`);
  }
  return { meta: meta as Record<string, unknown>, tensors: file.tensors };
}

/** A checkpoint's training state as its JSON holds it: the optimizer's metadata, without its tensors. */
export type TrainingStateMeta = Omit<TrainingState, 'optimizer'> & { optimizer: OptimizerStateDict['meta'] };

/**
 * Applies a file read by readTrainingCheckpoint, with `state` taken from its JSON by the caller:
 * the model's weights, then the optimizer, schedule and generators (restoreTrainingState). Each
 * load validates every name and shape before it changes anything. Returns the epoch to resume at.
 */
export function applyTrainingCheckpoint(file: TrainingCheckpointFile, model: Module, state: TrainingStateMeta, parts: TrainingParts): number {
  const modelState: Record<string, Tensor> = {};
  const optimState: Record<string, Tensor> = {};
  for (const [name, t] of file.tensors) {
    const target = name.startsWith('model.') ? modelState : optimState;
    // on js: loading copies each tensor to its parameter's backend and dtype
    target[name.slice(name.indexOf('.') + 1)] = fromTyped(t.data, t.shape, { backend: 'js' });
  }
  try {
    model.loadStateDict(modelState);
    return restoreTrainingState({ ...state, optimizer: { state: optimState, meta: state.optimizer } }, parts);
  } finally {
    for (const t of [...Object.values(modelState), ...Object.values(optimState)]) t.dispose();
  }
}

/**
 * Loads a file from saveTrainingCheckpoint into the model, optimizer, schedule and generators;
 * returns the epoch to resume at. The file is read and parsed before anything is changed.
 */
export function loadTrainingCheckpoint(filePath: string, model: Module, parts: TrainingParts): number {
  const file = readTrainingCheckpoint(filePath);
  const meta = file.meta as TrainingStateMeta;
  if (!Array.isArray(meta.generators)) throw new Error(`loadTrainingCheckpoint: '${filePath}': 'generators' must be a list of generator states, got ${JSON.stringify(meta.generators)}`);
  return applyTrainingCheckpoint(file, model, { epoch: meta.epoch, optimizer: meta.optimizer, scheduler: meta.scheduler, generators: meta.generators }, parts);
}

/** A callback that writes a training checkpoint after every `every`-th epoch (default 1). */
export function trainingCheckpoint(options: { path: string; generators?: Generator[]; every?: number }): Callback {
  const every = options.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new Error(`trainingCheckpoint: every must be a positive integer, got ${every}`);
  return {
    async onEpochEnd(epoch: number, _logs: EpochLogs, ctx: TrainContext): Promise<void> {
      if ((epoch + 1) % every !== 0) return;
      const state = captureTrainingState(epoch + 1, { optimizer: ctx.optimizer, scheduler: ctx.scheduler, generators: options.generators });
      await saveTrainingCheckpoint(options.path.replaceAll('{epoch}', String(epoch + 1)), ctx.model, state);
    },
  };
}

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

/** What a session's checkpoint saves and restores besides its position: model, optimizer, schedule, the model's generator. */
export interface SessionParts {
  model: Module;
  optimizer: Optimizer;
  scheduler: Scheduler | undefined;
  modelGenerator: Generator;
}

/** What the checkpoint must agree with: the run's training rows and batch size. */
export interface RunShape { trainRows: number; batchSize: number }

/** The CLI's checkpoint format (1 and 2 kept the position in a separate checkpoint.json). */
const VERSION = 3;

export async function saveCheckpoint(dir: string, t: SessionParts, state: CheckpointState, run: RunShape): Promise<void> {
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
export function loadCheckpoint(command: string, dir: string, t: SessionParts, run: RunShape): CheckpointState | null {
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
function checkCheckpoint(meta: Record<string, unknown>, run: RunShape, hasScheduler: boolean) {
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

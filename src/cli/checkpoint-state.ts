// A run folder's checkpoint: checkpoint.safetensors (the weights as 'model.*' and the optimizer's
// state tensors as 'optimizer.*') and checkpoint.json (where training is: epochs done, the data
// loader's position and generator states, the model's generator, the optimizer's and schedule's
// metadata, the history so far, and, inside an epoch, the loss and time of its finished steps).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tensor } from '../index.js';
import type { Generator } from '../random.js';
import type { Module } from '../nn/module.js';
import type { Optimizer, Scheduler, SchedulerState } from '../optim/index.js';
import type { DataLoaderState } from '../data/loader.js';
import type { History } from '../train/history.js';
import { writeSafetensors } from '../io/safetensors.js';
import { RUN_FILES, loadWeightsInto, readTensors, tensorsToHost, writeJson } from './run-folder.js';
import { CliError } from './command.js';

/** The finished steps of an interrupted epoch: their mean loss, sample count and seconds. */
export interface PartialEpoch { samples: number; meanLoss: number; seconds: number }

export interface CheckpointState {
  version: 2;
  /** Epochs finished; training continues in epoch `epoch` (0-based). */
  epoch: number;
  /** Set when Ctrl-C stopped training inside epoch `epoch`. */
  partial: PartialEpoch | null;
  loader: DataLoaderState;
  modelGenerator: unknown[];
  optimizer: Record<string, unknown>;
  scheduler: SchedulerState | null;
  history: History;
}

export interface TrainingState {
  model: Module;
  optimizer: Optimizer;
  scheduler: Scheduler | undefined;
  modelGenerator: Generator;
}

/** JSON cannot hold the generators' "no cached normal" NaN: writeJson stores "NaN"; turn it back. */
export function reviveNumbers(values: readonly unknown[]): number[] {
  return values.map((v) => (typeof v === 'number' ? v : NaN));
}

export function reviveLoaderState(s: DataLoaderState): DataLoaderState {
  return { ...s, generator: reviveNumbers(s.generator), epochStartGenerator: s.epochStartGenerator ? reviveNumbers(s.epochStartGenerator) : null };
}

export async function saveCheckpoint(dir: string, t: TrainingState, state: Omit<CheckpointState, 'version' | 'modelGenerator' | 'optimizer' | 'scheduler'>): Promise<void> {
  const opt = t.optimizer.stateDict();
  const tensors = { ...(await tensorsToHost(t.model.stateDict(), 'model.')), ...(await tensorsToHost(opt.state, 'optimizer.')) };
  for (const x of Object.values(opt.state)) x.dispose();
  writeSafetensors(path.join(dir, RUN_FILES.checkpoint), tensors, { format: 'pt', writer: 'tessera', epoch: String(state.epoch) });
  const full: CheckpointState = {
    version: 2, ...state, modelGenerator: t.modelGenerator.getState(), optimizer: opt.meta,
    scheduler: t.scheduler ? t.scheduler.stateDict() : null,
  };
  writeJson(path.join(dir, RUN_FILES.checkpointState), full);
}

/** Restores weights, optimizer, schedule and the model's generator; returns the rest for the loop. */
export function loadCheckpoint(command: string, dir: string, t: TrainingState): CheckpointState {
  const jsonFile = path.join(dir, RUN_FILES.checkpointState);
  const tensorFile = path.join(dir, RUN_FILES.checkpoint);
  if (!fs.existsSync(jsonFile)) throw new CliError(`tessera ${command}: '${dir}' has no checkpoint (${RUN_FILES.checkpointState}) to resume from`);
  let state: CheckpointState;
  try {
    state = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as CheckpointState;
    if (state.version !== 2) throw new Error(`version ${String(state.version)}, expected 2`);
    if (!Number.isInteger(state.epoch) || state.epoch < 0) throw new Error(`epoch ${String(state.epoch)} is not a non-negative integer`);
    if (!Array.isArray(state.modelGenerator) || !state.loader || !Array.isArray(state.loader.generator) || !state.history || !state.optimizer) {
      throw new Error('it lacks loader, modelGenerator, optimizer or history');
    }
  } catch (e) {
    throw new CliError(`tessera ${command}: '${jsonFile}' is not a valid checkpoint: ${(e as Error).message}`);
  }
  const tensors = readTensors(command, tensorFile);
  loadWeightsInto(command, tensorFile, t.model, tensors, 'model.');
  const optState: Record<string, Tensor> = {};
  for (const [name, x] of tensors) if (name.startsWith('optimizer.')) optState[name.slice('optimizer.'.length)] = x;
  try {
    t.optimizer.loadStateDict({ state: optState, meta: state.optimizer });
    if (t.scheduler && state.scheduler) t.scheduler.loadStateDict(state.scheduler);
  } catch (e) {
    throw new CliError(`tessera ${command}: the optimizer state in '${tensorFile}' does not fit this run: ${(e as Error).message}`);
  }
  t.modelGenerator.setState(reviveNumbers(state.modelGenerator));
  return { ...state, loader: reviveLoaderState(state.loader) };
}

// A run folder holds everything one training run produced:
//   config.json              the options (same keys as the command line; usable with --config)
//   model.safetensors        the final weights (PyTorch names, e.g. encoder.0.weight)
//   checkpoint.safetensors   weights + optimizer state ('model.*', 'optimizer.*') of the last checkpoint, and
//                            in its metadata the epoch, generator states, optimizer/scheduler metadata,
//                            history (one file: see src/train/resume.ts)
//   metrics.json             per-epoch history and the test metrics
//   reconstructions.png (feature-errors.png for tabular data), loss.png, latent.png, and for a VAE samples.png and latent-walk.png
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendName } from '../backend/backend.js';
import { BACKEND_OPTIONS } from './backend-choice.js';
import type { Module } from '../nn/module.js';
import { writeFileAtomic } from '../io/atomic.js';
import { loadModule, saveModule } from '../nn/checkpoint.js';
import { CliError } from './command.js';
import { CHECKPOINT_FILE } from '../train/resume.js';
import { Generator } from '../random.js';
import { buildModel } from '../models/build-model.js';
import type { LoadedRun } from '../eval/inference.js';
import { parseArchitecture } from '../models/architecture.js';
import { DataTransform, type TransformSpec } from '../data/transform.js';
import { defaultValues, readConfigFile, type OptionSpec } from './options.js';
import { MODEL_TRAINING_OPTIONS, resolveTrainConfig, type TrainConfig } from './train-options.js';

export const RUN_FILES = {
  config: 'config.json',
  weights: 'model.safetensors',
  checkpoint: CHECKPOINT_FILE,
  metrics: 'metrics.json',
  reconstructions: 'reconstructions.png',
  /** Instead of reconstructions.png for tabular data: the test MSE of each feature. */
  featureErrors: 'feature-errors.png',
  loss: 'loss.png',
  latent: 'latent.png',
  samples: 'samples.png',
  walk: 'latent-walk.png',
} as const;

/** runs/<UTC timestamp>-<model>, with -2, -3, … when that exists. */
export function newRunDir(base: string, model: string): string {
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-');
  let dir = path.join(base, `${stamp}-${model}`);
  for (let i = 2; fs.existsSync(dir); i++) dir = path.join(base, `${stamp}-${model}-${i}`);
  return dir;
}

export function writeJson(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`);
}

/** Checks that `dir` is a run folder (has config.json) and returns its resolved config. */
export function readRunConfig(command: string, dir: string): TrainConfig {
  return readRunFolder(command, dir).config;
}

/** The run's config and the backend it trained on (config.json's 'backend'; runs before it was recorded have none). */
export function readRunFolder(command: string, dir: string): { config: TrainConfig; backend: BackendName | undefined } {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new CliError(`tessera ${command}: the run folder '${dir}' does not exist`);
  }
  const file = path.join(dir, RUN_FILES.config);
  if (!fs.existsSync(file)) {
    throw new CliError(`tessera ${command}: '${dir}' is not a run folder: it has no ${RUN_FILES.config} (make one with 'tessera train --out ${dir}')`);
  }
  const specs: OptionSpec[] = [...MODEL_TRAINING_OPTIONS, ...BACKEND_OPTIONS.filter((o) => o.name === 'backend')];
  const values: Record<string, unknown> = defaultValues(specs);
  try {
    Object.assign(values, readConfigFile(command, specs, file));
    const config = resolveTrainConfig(command, values as never);
    // What the data made of the model and its scaling (written by train once the data was read).
    const record = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as Record<string, unknown>;
    if (record.architecture !== undefined) config.architecture = parseArchitecture(record.architecture, file);
    if (record.transform !== undefined) config.transform = new DataTransform(record.transform as TransformSpec).spec;
    return { config, backend: values.backend as BackendName | undefined };
  } catch (e) {
    throw new CliError(`tessera ${command}: ${file} is not a valid run config: ${(e as Error).message}`);
  }
}

/** Writes a run's final weights (src/nn/checkpoint.ts: PyTorch names, atomic). */
export async function saveWeights(file: string, model: Module, metadata: Record<string, string> = {}): Promise<void> {
  await saveModule(file, model, metadata);
}

/** Loads a run's final weights; the model is unchanged when the file is missing, corrupt or mismatched. */
export function loadWeights(command: string, file: string, model: Module): void {
  if (!fs.existsSync(file)) throw new CliError(`tessera ${command}: '${file}' is missing (the run did not finish saving its weights)`);
  try {
    loadModule(file, model);
  } catch (e) {
    throw new CliError(`tessera ${command}: ${(e as Error).message}`);
  }
}

/** Builds the run's model and loads model.safetensors into it; eval mode. */
export function readRun(command: string, dir: string): LoadedRun {
  const config = readRunConfig(command, dir);
  const model = buildModel(config, new Generator(config.seed));
  loadWeights(command, path.join(dir, RUN_FILES.weights), model);
  model.eval();
  return { dir, config, model };
}

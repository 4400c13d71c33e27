// A run folder written by `tessera train`, loaded back: the model (src/models/architecture.ts
// rebuilds it from config.json's 'architecture'), the config, the data transform and the history.
// In train/ because a run's history is training's record.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Generator } from '../random.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { buildArchitecture, inputShapeOf, parseArchitecture, type Architecture } from '../models/architecture.js';
import { DataTransform, type TransformSpec } from '../data/transform.js';
import { loadModule } from '../nn/checkpoint.js';
import { emptyHistory, type History } from './history.js';

export interface LoadedRunFolder {
  /** The trained model (weights of model.safetensors), in eval mode. */
  model: Autoencoder;
  /** config.json as written: the options, 'architecture' and 'transform'. */
  config: Record<string, unknown>;
  architecture: Architecture;
  /** The scaling fitted on the training data: apply it to rows before the model sees them. */
  transform: DataTransform;
  /** The shape of one row the model takes, e.g. [784] or [1, 28, 28]. */
  inputShape: number[];
  history: History;
}

/** Loads a run folder written by `tessera train`: model, config, data transform and history. */
export function loadRun(dir: string): LoadedRunFolder {
  const read = (name: string): Record<string, unknown> | null => {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) return null;
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`loadRun: '${file}' is not valid JSON: ${(e as Error).message}`);
    }
  };
  const config = read('config.json');
  if (config === null) throw new Error(`loadRun: '${dir}' is not a run folder: it has no config.json`);
  if (config.architecture === undefined) throw new Error(`loadRun: '${path.join(dir, 'config.json')}' has no 'architecture' (written by an older tessera); retrain or use the CLI`);
  const architecture = parseArchitecture(config.architecture, `loadRun: '${path.join(dir, 'config.json')}'`);
  const transform = new DataTransform((config.transform as TransformSpec | undefined) ?? { kind: 'none' });
  const model = buildArchitecture(architecture, new Generator(0));
  loadModule(path.join(dir, 'model.safetensors'), model);
  model.eval();
  const metrics = read('metrics.json');
  const history = (metrics?.history as History | undefined) ?? emptyHistory();
  return { model, config, architecture, transform, inputShape: inputShapeOf(architecture), history };
}

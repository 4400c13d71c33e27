// What `tessera explain`, `tessera profile` and `tessera gradcheck` share: the model options of
// `tessera train` (or --run <folder> for a trained model), the same model, optimizer and
// objective as training builds (src/train/training-session.ts, src/train/loss.ts), and a batch of
// the first Fashion-MNIST test images.
import * as path from 'node:path';
import { fromTyped, type Backend, type BackendName, type Tensor } from '../index.js';
import { loadFashionMnist } from '../data/fashion-mnist.js';
import { makeObjective, objective } from '../train/loss.js';
import type { Autoencoder } from '../models/autoencoder.js';
import type { Optimizer } from '../optim/index.js';
import { featureShapeOf, trainingLoss, weightL1 } from '../models/build-model.js';
import { BACKEND_OPTIONS, chooseBackend } from './backend-choice.js';
import { CliError } from './command.js';
import type { OptionSpec, Values } from './options.js';
import { RUN_FILES, loadWeights, readRunConfig } from './run-folder.js';
import { MODEL_TRAINING_OPTIONS, resolveTrainConfig, type TrainConfig } from './train-options.js';
import { newSession } from '../train/training-session.js';
import { loadData } from '../train/run-data.js';
import { architectureFor } from '../models/build-model.js';

/** Options of a training run that do not shape one step are left out. */
const NOT_FOR_ONE_STEP = new Set(['epochs', 'schedule', 'limit']);

export const INSPECT_MODEL_OPTIONS: OptionSpec[] = [
  ...MODEL_TRAINING_OPTIONS.filter((o) => !NOT_FOR_ONE_STEP.has(o.name)).map((o) => ({ ...o, list: false })),
  { name: 'run', kind: 'string', placeholder: 'dir', help: "a run folder: its config.json and model.safetensors instead of the model options" },
  ...BACKEND_OPTIONS,
];

export interface Inspection {
  config: TrainConfig;
  model: Autoencoder;
  optimizer: Optimizer;
  /** The training objective: the data loss + the model's added terms + weight penalties. */
  lossFn: (pred: Tensor, target: Tensor) => Tensor;
  lossName: string;
  x: Tensor;
  y: Tensor;
  backend: Backend;
  /** 'dense autoencoder, seed 0' or 'run runs/…'. */
  source: string;
}

/**
 * Builds the model (fresh from the options, or a run's), its optimizer and objective, and a
 * batch of `batchSize` test images on the chosen backend (`backend` overrides --backend).
 */
export async function setUpInspection(command: string, v: Values, options: { batchSize?: number; backend?: BackendName } = {}): Promise<Inspection> {
  const backend = await chooseBackend(command, options.backend ?? (v.backend as BackendName | undefined), v.threads as number | undefined);
  const runDir = v.run as string | undefined;
  const config = runDir !== undefined ? readRunConfig(command, runDir)
    : resolveTrainConfig(command, { ...v, epochs: 1, schedule: 'none', limit: undefined });
  const batchSize = options.batchSize ?? (v['batch-size'] as number);
  if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000)) {
    throw new CliError(`tessera ${command}: the batch size must be between 1 and 10000 (the test images), got ${batchSize}`);
  }
  let images: Float32Array;
  if (config.data.data !== undefined) {
    // The user's data: the model takes its shape and scaling, the batch is its first test rows.
    const data = loadData(command, config, undefined);
    config.transform ??= data.transform.spec;
    config.architecture ??= architectureFor(config, data.featureShape, data.transform.unitRange, command);
    if (data.test.n < batchSize) throw new CliError(`tessera ${command}: the batch size ${batchSize} is more than the ${data.test.n} test rows of the data`);
    images = data.test.images;
  } else {
    try {
      images = loadFashionMnist({ split: 'test', limit: batchSize }).images;
    } catch (e) {
      throw new CliError(`tessera ${command}: cannot load Fashion-MNIST: ${(e as Error).message}`);
    }
  }
  const session = newSession(config, batchSize);
  if (runDir !== undefined) loadWeights(command, path.join(runDir, RUN_FILES.weights), session.model);
  const shape = featureShapeOf(config);
  const x = fromTyped(images.subarray(0, batchSize * shape.reduce((a, b) => a * b, 1)), [batchSize, ...shape], { backend });
  const model = session.model;
  const obj = makeObjective(`tessera ${command}`, model, trainingLoss(model, config.data.loss), weightL1(config), config.l2);
  const lossName = `${model.constructor.name === 'VAE' ? 'VAE reconstruction + β·KL' : (config.data.loss === 'auto' ? 'mse' : config.data.loss).toUpperCase()}${obj.l1 > 0 ? ` + ${obj.l1}·L1` : ''}${obj.l2 > 0 ? ` + ${obj.l2}·L2` : ''}`;
  return {
    config, model, optimizer: session.optimizer, lossFn: (pred, target) => objective(model, pred, target, obj), lossName,
    x, y: x, backend,
    source: runDir !== undefined ? `run ${runDir}` : `${config.model} autoencoder (seed ${config.seed})`,
  };
}

// The options of `tessera train` (also the keys of a --config file and of a run's config.json),
// and their resolution into a typed TrainConfig. `tessera sweep` takes the same options with
// comma-separated lists.
import type { OptionSpec, Values } from './options.js';
import { UsageError } from './options.js';
import { BACKEND_OPTIONS } from './backend-choice.js';
import { MODEL_INITS, type ModelInit } from '../nn/init.js';
import { ACTIVATION_ALIASES, activationName } from '../nn/activations.js';
import { DATA_OPTIONS, dataConfigToJson, resolveDataConfig } from './data-options.js';
import { ACTIVATION_CHOICES, MODEL_NAMES, OPTIMIZER_CHOICES, SCHEDULE_NAMES, type ActivationChoice, type ModelName, type OptimizerChoice, type ScheduleName, type TrainConfig } from '../models/run-config.js';

export { ACTIVATION_CHOICES, MODEL_NAMES, OPTIMIZER_CHOICES, SCHEDULE_NAMES, type ActivationChoice, type ModelName, type OptimizerChoice, type ScheduleName, type TrainConfig };

const DEFAULT_HIDDEN: Record<ModelName, string> = { dense: '64', denoising: '64', sparse: '64', vae: '256', conv: '16,8' };

/**
 * Default epochs: the dense model takes ~0.6 s per epoch on native (2 cores, AVX-512), so the default
 * run takes about 6 s (bench/RESULTS.md, "The main job"), and 20 epochs are what it needs to beat PCA with as many components.
 */
export const DEFAULT_EPOCHS = 20;

/** Options that describe the model and its training (what a sweep can vary, what config.json stores). */
export const MODEL_TRAINING_OPTIONS: OptionSpec[] = [
  { name: 'model', kind: 'choice', choices: MODEL_NAMES, default: 'dense', help: 'which autoencoder', list: true },
  { name: 'latent', kind: 'int', min: 1, default: 32, help: 'size of the code', list: true },
  { name: 'hidden', kind: 'string', placeholder: 'n[,n…]', help: 'hidden sizes of the encoder, mirrored by the decoder (default 64; vae 256; conv: channels 16,8)' },
  { name: 'epochs', kind: 'int', min: 1, default: DEFAULT_EPOCHS, help: 'passes over the training set', list: true },
  { name: 'batch-size', kind: 'int', min: 1, default: 256, help: 'examples per step', list: true },
  { name: 'lr', kind: 'number', positive: true, default: 1e-3, help: 'learning rate', list: true },
  { name: 'schedule', kind: 'choice', choices: SCHEDULE_NAMES, default: 'none', help: 'learning-rate schedule (per epoch; warmup: linear over the first epoch)', list: true },
  { name: 'optimizer', kind: 'choice', choices: OPTIMIZER_CHOICES, default: 'adam', help: 'update rule (momentum/nesterov: SGD with momentum 0.9)', list: true },
  { name: 'activation', kind: 'choice', choices: [...ACTIVATION_CHOICES, ...Object.keys(ACTIVATION_ALIASES)], default: 'relu', help: 'hidden-layer activation (linear: no nonlinearity anywhere, output included: the linear autoencoder PCA bounds; leaky-relu is leakyRelu)', list: true },
  { name: 'l1', kind: 'number', min: 0, default: 0, help: 'L1 weight penalty (sparse: L1 activity penalty on the code, default 1e-4)', list: true },
  { name: 'l2', kind: 'number', min: 0, default: 0, help: 'L2 weight penalty', list: true },
  { name: 'dropout', kind: 'number', min: 0, max: 0.99, default: 0, help: 'dropout probability after hidden layers', list: true },
  { name: 'batch-norm', kind: 'flag', default: false, help: 'batch normalisation after hidden layers', list: true },
  { name: 'noise', kind: 'number', min: 0, help: 'std of the Gaussian input noise (denoising; default 0.3 there, 0 elsewhere)', list: true },
  { name: 'beta', kind: 'number', min: 0, default: 1, help: 'weight of the KL term (vae)', list: true },
  { name: 'seed', kind: 'int', min: 0, default: 0, help: 'seed of every random draw (init, shuffling, noise)', list: true },
  { name: 'init', kind: 'choice', choices: MODEL_INITS, default: 'glorot', help: "initial weights: glorot (Keras's default: glorot-uniform, zero bias), he (he-uniform, zero bias), torch (PyTorch's: U(±1/√fan_in))", list: true },
  { name: 'limit', kind: 'int', min: 1, help: 'use only the first N training images (and N/6 test images): for quick tests' },
  ...DATA_OPTIONS,
];

export const RUN_OPTIONS: OptionSpec[] = [
  ...BACKEND_OPTIONS,
  { name: 'out', kind: 'string', placeholder: 'dir', help: 'run folder (default runs/<timestamp>-<model>)', noConfig: true },
  { name: 'config', kind: 'string', placeholder: 'file.json', help: 'JSON file of options (same keys); the command line overrides it', noConfig: true },
  { name: 'quiet', kind: 'flag', help: 'no progress output', noConfig: true },
];


function parseHidden(command: string, raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  const sizes = parts.map(Number);
  if (parts.length === 0 || sizes.some((n, i) => parts[i] === '' || !Number.isInteger(n) || n < 1)) {
    throw new UsageError(`tessera ${command}: --hidden expects positive integers separated by commas (e.g. 256,64), got '${raw}'`);
  }
  return sizes;
}

/** --activation's value as its name in the one list (an alias such as leaky-relu mapped by src/nn/activations.ts). */
function activationChoice(value: string): ActivationChoice {
  return value === 'linear' ? 'linear' : activationName(value, '--activation') as ActivationChoice;
}

/** A TrainConfig from parsed option values (single values: a sweep resolves one variant at a time). */
export function resolveTrainConfig(command: string, v: Values): TrainConfig {
  const one = <T>(name: string): T => {
    const x = v[name];
    if (Array.isArray(x)) throw new UsageError(`tessera ${command}: --${name} takes one value here; lists are for 'tessera sweep'`);
    return x as T;
  };
  const model = one<ModelName>('model');
  const noise = one<number | undefined>('noise') ?? (model === 'denoising' ? 0.3 : 0);
  return {
    model,
    latent: one<number>('latent'),
    hidden: parseHidden(command, one<string | undefined>('hidden') ?? DEFAULT_HIDDEN[model]),
    epochs: one<number>('epochs'),
    batchSize: one<number>('batch-size'),
    lr: one<number>('lr'),
    schedule: one<ScheduleName>('schedule'),
    optimizer: one<OptimizerChoice>('optimizer'),
    activation: activationChoice(one<string>('activation')),
    l1: one<number>('l1'),
    l2: one<number>('l2'),
    dropout: one<number>('dropout'),
    batchNorm: one<boolean>('batch-norm') === true,
    noise,
    beta: one<number>('beta'),
    seed: one<number>('seed'),
    init: one<ModelInit>('init'),
    limit: one<number | undefined>('limit'),
    data: resolveDataConfig(command, v),
  };
}

/** The config as option-name keys: written to a run's config.json, readable with --config. */
export function configToJson(c: TrainConfig): Record<string, unknown> {
  return {
    model: c.model, latent: c.latent, hidden: c.hidden.join(','), epochs: c.epochs, 'batch-size': c.batchSize, lr: c.lr,
    schedule: c.schedule, optimizer: c.optimizer, activation: c.activation, l1: c.l1, l2: c.l2, dropout: c.dropout,
    'batch-norm': c.batchNorm, noise: c.noise, beta: c.beta, seed: c.seed, init: c.init, ...(c.limit !== undefined ? { limit: c.limit } : {}),
    ...dataConfigToJson(c.data),
    ...(c.architecture ? { architecture: c.architecture } : {}), ...(c.transform ? { transform: c.transform } : {}),
  };
}

// What one training run is, as the command line and a run's config.json say it: the model
// (which build-model.ts turns into an Architecture), how it is trained, and on which data. It
// sits in models/, below train/, because the model is built from it; the option tables that
// fill it in are the CLI's (src/cli/train-options.ts, src/cli/data-options.ts).
import type { ModelInit } from '../nn/init.js';
import { ACTIVATION_NAMES, type ActivationName } from '../nn/activations.js';
import type { Architecture } from './architecture.js';
import type { ScaleMode, TransformSpec } from '../data/transform.js';

export const MODEL_NAMES = ['dense', 'conv', 'denoising', 'sparse', 'vae'] as const;
export const OPTIMIZER_CHOICES = ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;
export const SCHEDULE_NAMES = ['none', 'step', 'exponential', 'cosine', 'plateau', 'warmup'] as const;
/**
 * --activation: the hidden layers' activation, a name of src/nn/activations.ts's list (softmax
 * and none aside), or 'linear': no nonlinearity anywhere, the output's included.
 */
export const ACTIVATION_CHOICES = [...ACTIVATION_NAMES.filter((a): a is Exclude<ActivationName, 'softmax' | 'none'> => a !== 'softmax' && a !== 'none'), 'linear'] as const;

export type ModelName = (typeof MODEL_NAMES)[number];
export type OptimizerChoice = (typeof OPTIMIZER_CHOICES)[number];
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];
export type ActivationChoice = Exclude<ActivationName, 'softmax' | 'none'> | 'linear';

export const LOSS_CHOICES = ['auto', 'mse', 'bce', 'l1', 'huber'] as const;
export type LossChoice = (typeof LOSS_CHOICES)[number];

export interface TrainConfig {
  model: ModelName;
  latent: number;
  hidden: number[];
  epochs: number;
  batchSize: number;
  lr: number;
  schedule: ScheduleName;
  optimizer: OptimizerChoice;
  activation: ActivationChoice;
  l1: number;
  l2: number;
  dropout: number;
  batchNorm: boolean;
  noise: number;
  beta: number;
  seed: number;
  init: ModelInit;
  limit?: number;
  data: DataConfig;
  /** What the model is, once the data has said its shape (config.json's 'architecture'). */
  architecture?: Architecture;
  /** The scaling fitted on the training data (config.json's 'transform'). */
  transform?: TransformSpec;
}

export interface DataConfig {
  /** Absolute paths; undefined data: the bundled Fashion-MNIST. */
  data?: string;
  labels?: string;
  testData?: string;
  testLabels?: string;
  valSplit?: number;
  inputShape?: number[];
  scale: ScaleMode;
  loss: LossChoice;
  header: 'auto' | boolean;
  /** --stream: the training rows stay in their file (not recorded: the run is the same either way). */
  stream?: boolean;
}

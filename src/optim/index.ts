// Optimizers, schedules and gradient clipping; `getOptimizer` builds one by name (the CLI's --optimizer).
import type { Tensor } from '../tensor.js';
import type { Optimizer, ParamGroup } from './optimizer.js';
import { SGD } from './sgd.js';
import { Adam, AdamW } from './adam.js';
import { RMSprop } from './rmsprop.js';
import { Adagrad } from './adagrad.js';

export { Optimizer, type ParamGroup, type ParamState, type OptimizerStateDict } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export {
  StepLR, ExponentialLR, CosineAnnealingLR, LinearWarmup, ReduceLROnPlateau,
  type Scheduler, type SchedulerState, type ReduceLROnPlateauOptions,
} from './schedules.js';
export { clipGradNorm, clipGradNormTensor, clipGradValue } from './clip.js';

export const OPTIMIZER_NAMES = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;

/** An optimizer by (case-insensitive) name; options are the class's own (lr, momentum, betas, …). */
export function getOptimizer(name: string, params: Tensor[] | ParamGroup[], options: Record<string, unknown> = {}): Optimizer {
  switch (name.toLowerCase()) {
    case 'sgd': return new SGD(params, options);
    case 'adam': return new Adam(params, options);
    case 'adamw': return new AdamW(params, options);
    case 'rmsprop': return new RMSprop(params, options);
    case 'adagrad': return new Adagrad(params, options);
    default: throw new Error(`getOptimizer: unknown optimizer '${name}' (expected one of ${OPTIMIZER_NAMES.join(', ')})`);
  }
}

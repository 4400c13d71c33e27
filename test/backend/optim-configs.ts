// The optimizer settings the backend tests sweep: every rule variant (plain, momentum with and
// without dampening and weight decay, Nesterov, maximize; Adam, Adam with L2, AdamW, amsgrad).
import type { AdamParams, SgdParams } from '../../src/backend/backend.js';

export const SGD_CONFIGS: readonly Omit<SgdParams, 'firstStep'>[] = [
  { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 },
  { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 },
  { lr: 0.05, momentum: 0.9, dampening: 0.1, nesterov: false, weightDecay: 1e-2 },
  { lr: 0.01, momentum: 0.8, dampening: 0, nesterov: true, weightDecay: 5e-4 },
  { lr: 0.01, momentum: 0.5, dampening: 0, nesterov: false, weightDecay: 0, maximize: true },
];

export const ADAM_CONFIGS: readonly Omit<AdamParams, 'step'>[] = [
  { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false },
  { lr: 1e-2, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 1e-2, decoupled: false },
  { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2, decoupled: true },
  { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: true },
  { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled: true, amsgrad: true },
];

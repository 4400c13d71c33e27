// tessera's public API: re-exports only.
import './backend/select.js';

export { Tensor } from './tensor.js';
export type { GraphNode } from './tensor.js';
export * from './ops/index.js';
export { noGrad, enableGrad, isGradEnabled, backward, topoSort } from './autograd.js';
export type { BackwardOptions, BackwardStep } from './autograd.js';
export { tidy, dispose } from './memory.js';
export { gradcheck, formatGradcheck } from './gradcheck.js';
export type { GradcheckOptions, GradcheckReport } from './gradcheck.js';
export { explain, formatExplain, toDot } from './explain.js';
export type { ExplainedOp } from './explain.js';
export { Generator, manualSeed, defaultGenerator } from './random.js';
export { getBackend, setBackend, registeredBackends } from './backend/backend.js';
export type { Backend, BackendName, DType, TypedArray, UnaryOp, BinaryOp, ReduceOp, Activation } from './backend/backend.js';
export { useBackend, initDefaultBackend, availableBackends } from './backend/select.js';
export * from './io/index.js';
export * from './data/index.js';
export * from './viz/index.js';

// Every op, re-exported: the Tensor methods and the public API both come from here.
export * from './creation.js';
export * from './random.js';
export * from './elementwise.js';
export * from './activation.js';
export * from './reduce.js';
export * from './shape-ops.js';
export * from './matmul.js';
export * from './squared-error.js';
export * from './conv.js';
export * from './pool.js';
export * from './latent.js';
export { getDefaultDType, withDefaultDType, sumTo } from './op.js';
export * from './optim-step.js';

// The `js` backend: plain TypeScript kernels over Float32Array (and Float64Array, for
// float64 gradient checks). Always available; the reference every other backend is tested against.
import type { Backend, DType, TypedArray } from '../backend.js';
import { activationGrad, bceLogitsWithGrad, binary, copy, unary, where } from './elementwise.js';
import { matmul } from './matmul.js';
import { reduce, softmax } from './reduce.js';
import { col2im, im2col } from './conv.js';
import { conv2d, conv2dBackwardData, conv2dBackwardWeight, maxPool2d, maxPool2dBackward } from './conv-direct.js';
import { adamStep, sgdStep } from './optim.js';
import { hostPool } from './host-pool.js';
import { gatherRows } from './gather.js';
import { reparameterize, reparameterizeBackward } from './latent.js';
import { randomFill } from '../philox.js';

export function allocTyped(dtype: DType, size: number): TypedArray {
  return hostPool.alloc(dtype, size);
}

export const jsBackend: Backend<TypedArray> = {
  name: 'js',
  supportsDType: () => true,
  hostVisible: true,
  garbageCollected: true,
  alloc: allocTyped,
  upload: (data) => data.slice(),
  readSync: (s) => s,
  read: async (s) => s,
  // Arrays of disposed tensors go back to the pool; the rest are left to the garbage collector.
  free: (s) => hostPool.release(s),
  fill: (out, size, value) => { out.fill(value, 0, size); },
  unary,
  activationGrad,
  binary,
  bceLogitsWithGrad,
  where,
  reduce,
  copy,
  matmul: (a, b, out, p) => matmul(a, b, out, p),
  softmax,
  im2col,
  col2im,
  conv2d,
  conv2dBackwardData,
  conv2dBackwardWeight,
  maxPool2d,
  maxPool2dBackward,
  sgdStep,
  adamStep,
  gatherRows,
  reparameterize,
  reparameterizeBackward,
  random: randomFill,
  describe: () => ({ backend: 'js', kernels: 'TypeScript, packed 3×4 register-blocked matmul', dtypes: ['float32', 'float64'], hostPool: hostPool.stats() }),
};

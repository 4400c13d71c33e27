// Seeded random tensors, drawn by the backend's counter-based kernel (Philox4x32-10,
// src/backend/philox.ts): the generator hands out a key and a block counter, the backend fills
// the tensor where it lives (no host loop, no upload), and every backend gives the same words.
import type { RandomKind, RandomParams } from '../backend/backend.js';
import { randomFill } from '../backend/philox.js';
import type { Tensor } from '../tensor.js';
import { assertValidShape, sizeOf, type Shape } from '../shape.js';
import { defaultGenerator, type Generator } from '../random.js';
import { finish, resolve, type CreateOptions } from './creation.js';
import { checkTensor, empty, record, uploaded } from './op.js';
import { add, affine, clamp, gt, lt, mul } from './elementwise.js';

export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

/**
 * The backend's kernel fills the tensor (gaussianNoise reads x); a backend without one gets the
 * reference's draw, uploaded.
 */
function randomTensor(op: string, kind: RandomKind, shape: Shape, options: RandomOptions | undefined, params: RandomParams, x?: Tensor): Tensor {
  assertValidShape(op, shape);
  const { backend, dtype } = resolve(op, options);
  const size = sizeOf(shape);
  const { key, counter } = (options?.generator ?? defaultGenerator).takeBlocks(size);
  if (!backend.random) {
    const host = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
    randomFill(kind, host, size, key, counter, params);
    return finish(uploaded(host, shape, dtype, backend), options);
  }
  const out = empty(shape, dtype, backend);
  backend.random(kind, out.storage(op), size, key, counter, params, x?.storage(op));
  return finish(out, options);
}

function finite(op: string, name: string, v: number): number {
  if (!Number.isFinite(v)) throw new Error(`${op}: ${name} must be a finite number, got ${v}`);
  return v;
}

/** Normal samples mean + std·z (z standard normal; mean 0 and std 1 by default) from a seeded generator. */
export function randn(shape: Shape, options?: RandomOptions & { mean?: number; std?: number }): Tensor {
  const mean = finite('randn', 'mean', options?.mean ?? 0), std = finite('randn', 'std', options?.std ?? 1);
  return randomTensor('randn', 'normal', shape, options, { mean, std });
}

/**
 * Uniform samples in [low, high) from a seeded generator: 24-bit uniforms in [0, 1), equal on
 * every backend, then low + (high − low)·u by the affine op when the range is another.
 */
export function rand(shape: Shape, options?: RandomOptions & { low?: number; high?: number }): Tensor {
  const low = finite('rand', 'low', options?.low ?? 0), high = finite('rand', 'high', options?.high ?? 1);
  if (!(high >= low)) throw new Error(`rand: high (${high}) must not be below low (${low})`);
  const u = randomTensor('rand', 'uniform', shape, { ...options, requiresGrad: false }, {});
  if (low === 0 && high === 1) return finish(u, options);
  const out = affine(u, high - low, low);
  u.dispose();
  return finish(out, options);
}

/** `value` (1 by default) with probability p, else 0: dropout masks (value 1/(1 − p)), masking noise. */
export function bernoulli(shape: Shape, p: number, options?: RandomOptions & { value?: number }): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`bernoulli: probability must be in [0, 1], got ${p}`);
  const value = finite('bernoulli', 'value', options?.value ?? 1);
  return randomTensor('bernoulli', 'bernoulli', shape, options, { p, value });
}

/**
 * A denoising model's corruption in one pass: clamp(x + mean + std·z, low, high), z drawn as randn
 * draws it, so the result equals clamp(add(x, randn(x.shape, { mean, std })), low, high) from the
 * same generator state. dL/dx = g where low < out < high (a clipped element, or one landing exactly
 * on a bound, gets none).
 */
export function gaussianNoise(x: Tensor, options: { std: number; mean?: number; low?: number; high?: number; generator?: Generator }): Tensor {
  const op = 'gaussianNoise';
  checkTensor(op, x);
  const mean = finite(op, 'mean', options.mean ?? 0), std = finite(op, 'std', options.std);
  const low = options.low ?? -Infinity, high = options.high ?? Infinity;
  if (!(low <= high)) throw new Error(`${op}: low ${low} must not exceed high ${high}`);
  const placement = { generator: options.generator, backend: x.backend, dtype: x.dtype };
  // A backend without a random kernel: the op's definition, add then clamp.
  if (!x.backend.random) return clamp(add(x, randn(x.shape, { ...placement, mean, std })), low, high);
  const out = randomTensor(op, 'gaussianNoise', x.shape, placement, { mean, std, low, high }, x);
  return record(out, op, [x], (g) => [mul(g, mul(gt(out, low), lt(out, high)))], { saved: ['out'] });
}

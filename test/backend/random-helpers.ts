// Shared pieces of the random-kernel tests (random.test.ts, webgpu-random.test.ts): the cases
// drawn on every backend and byte-exact comparisons with the js reference.
import { expect } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import type { RandomKind } from '../../src/backend/opcodes.js';

export const SIZES = [1, 2, 3, 5, 7, 63, 64, 65, 127, 128, 129, 130, 1021, 8195];  // around batches of 16 and 32 blocks
export const COUNTERS = [0, 2 ** 32 - 3, 2 ** 45 + 17];
export const KEYS: [number, number][] = [[0xdeadbeef, 0x01234567], [0xffffffff, 0xffffffff]];
export const BERNOULLI = [{ p: 0.5, value: 1 }, { p: 0, value: 1 }, { p: 1, value: 2.5 }, { p: 0.1, value: 1 / 0.9 }, { p: 1 - 1e-9, value: -3 }];
export const NORMAL = [{ mean: 0, std: 1 }, { mean: 0.25, std: 0.3 }, { mean: -2, std: 1e-3 }];
/** gaussianNoise's cases: a denoising model's, no clip, a range of one point, no noise. */
export const NOISE = [{ std: 0.3, low: 0, high: 1 }, { mean: -0.5, std: 2 }, { std: 0.3, low: 0.5, high: 0.5 }, { std: 0, low: 0, high: 1 }];

const EDGES = [0, 1, 0.5, NaN, Infinity, -Infinity, 1e-8, 1 - 2 ** -24, -0.3, 1.3, -0];
/** gaussianNoise's input: the edge values (the clip bounds, NaN, ±∞, −0) first, then values across [−0.3, 1.3). */
export function noiseInput(size: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => (i < EDGES.length ? EDGES[i] : ((i * 0.618) % 1.6) - 0.3));
}

/** One draw through a backend into a padded array (the padding must survive: nothing past size); x: gaussianNoise's input. */
export function draw(b: Backend<Float32Array>, kind: RandomKind, size: number, key: [number, number], counter: number, params = {},
  x?: Float32Array): Float32Array {
  const out = b.alloc('float32', size + 3);
  out.fill(-7);
  b.random!(kind, out, size, key, counter, params, x && b.upload(x));
  const copy = out.slice();
  expect([copy[size], copy[size + 1], copy[size + 2]], `${b.name} ${kind} wrote past size ${size}`).toEqual([-7, -7, -7]);
  return copy.subarray(0, size);
}

/** Byte-equal arrays (stricter than toEqual, and fast on large ones), naming the first difference. */
export function expectSame(got: Float32Array | Uint32Array, want: Float32Array | Uint32Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length), b = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < b.length; i++) {
    if (a[i] !== b[i]) throw new Error(`${what} [${i}]: got ${got[i]} (0x${a[i].toString(16)}), js ${want[i]} (0x${b[i].toString(16)})`);
  }
}


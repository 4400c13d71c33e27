// Shared test helpers: seeded random data and float64 reference arithmetic written
// independently of the engine.
import { Generator } from '../src/random.js';

export function randomArray(gen: Generator, n: number, low = -1, high = 1): number[] {
  return Array.from({ length: n }, () => low + (high - low) * gen.uniform());
}

export function prod(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Reads a flat row-major array at a multi-index, broadcasting size-1 / missing axes. */
export function atBroadcast(data: ArrayLike<number>, shape: readonly number[], index: readonly number[]): number {
  let off = 0;
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const i = index[index.length - shape.length + d];
    off += (shape[d] === 1 ? 0 : i) * stride;
    stride *= shape[d];
  }
  return data[off];
}

export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = flat % shape[d]; flat = Math.floor(flat / shape[d]); }
  return idx;
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6, what = ''): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`${what}: element ${i}: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${atol} + ${rtol}·|e|)`);
    }
  }
}
